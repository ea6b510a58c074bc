/**
 * Writes made for a signed-in caller carry the caller's identity (issue 12), as kubectl's `--as` /
 * `--as-group` do: `Impersonate-User: <user>` and one `Impersonate-Group: <group>` header per group. The
 * cluster then authorizes the write as the caller (its own RBAC, its own audit), and the gateway's own
 * identity needs only `impersonate` on users and groups. Through the Karmada cluster proxy the headers
 * go with the proxy request: the control plane checks the impersonation and the caller's `clusters/proxy`,
 * and Karmada passes the caller on to the member, whose RBAC decides.
 *
 * client-node's kubeconfig `as` sets the user only and its request context holds one value per header, so
 * the headers are added where the request is sent: a wrapper around client-node's own HTTP library that
 * hands node-fetch the headers as a list of pairs (repeated names stay separate header lines; kube-apiserver
 * reads `Impersonate-Group` as a list of lines, and a comma inside one line would be one group's name).
 */
import type { Configuration, HttpLibrary, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { KeepAliveHttpLibrary, keepAliveConfiguration } from '../fleet/keepAliveConfiguration.js';

/** Whom the writes are made as. */
export interface Impersonation {
  user: string;
  groups: readonly string[];
}

/** `system:authenticated` is added by the impersonation filter itself; sending it asks for one more check. */
const IMPLICIT_GROUPS = new Set(['system:authenticated']);

/** The header lines for `who`: the user, then each group once. */
export function impersonationHeaders(who: Impersonation): Array<[string, string]> {
  const lines: Array<[string, string]> = [['Impersonate-User', who.user]];
  for (const g of new Set(who.groups)) if (!IMPLICIT_GROUPS.has(g)) lines.push(['Impersonate-Group', g]);
  return lines;
}

class ImpersonatingHttpLibrary implements HttpLibrary {
  private readonly inner = new KeepAliveHttpLibrary();
  private readonly lines: Array<[string, string]>;

  constructor(who: Impersonation) {
    this.lines = impersonationHeaders(who);
  }

  send(request: RequestContext): ReturnType<HttpLibrary['send']> {
    // Any impersonation the kubeconfig itself asks (`as:`) is replaced: the caller is who the write is for.
    const pairs = Object.entries(request.getHeaders()).filter(([k]) => !k.toLowerCase().startsWith('impersonate-'));
    pairs.push(...this.lines);
    const view = Object.create(request) as RequestContext;
    // node-fetch takes any iterable of pairs as headers (so do WHATWG Headers).
    view.getHeaders = () => pairs as unknown as ReturnType<RequestContext['getHeaders']>;
    return this.inner.send(view);
  }
}

/** An API client configuration for `kc`'s current context whose every request impersonates `who`. */
export function impersonatingConfiguration(kc: KubeConfig, who: Impersonation): Configuration {
  return keepAliveConfiguration(kc, new ImpersonatingHttpLibrary(who));
}
