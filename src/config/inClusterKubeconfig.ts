/**
 * In-cluster identity: with no `--kubeconfig` and `KUBERNETES_SERVICE_HOST` set (the gateway runs in a pod
 * whose API server is the Karmada control plane), the gateway uses the pod's ServiceAccount, as client-go's
 * rest.InClusterConfig does. Members are then reached through the Karmada cluster proxy as always.
 *
 * The rest of the gateway takes a kubeconfig file (the control plane, the proxy kubeconfigs of members, the
 * fleet id and doctor all start from one), so this writes one that points at the mounted files instead of
 * copying them: the CA file, and the token file through client-node's `tokenFile` auth provider, which
 * re-reads the projected token (kubelet rotates it) at least once a minute. The file holds no secret.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { ConfigError } from './ConfigError.js';

/** Where kubelet mounts a pod's ServiceAccount token, CA bundle and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The kubeconfig (YAML) of the pod's ServiceAccount, or undefined outside a pod. */
export function inClusterKubeconfigYaml(env: NodeJS.ProcessEnv, serviceAccountDir = SERVICE_ACCOUNT_DIR): string | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (!host) return undefined;
  const port = env.KUBERNETES_SERVICE_PORT || '443';
  const tokenFile = join(serviceAccountDir, 'token');
  const caFile = join(serviceAccountDir, 'ca.crt');
  if (!existsSync(tokenFile)) {
    throw new ConfigError('KUBERNETES_SERVICE_HOST', `is set but there is no service account token at ${tokenFile}: mount it (automountServiceAccountToken: true) or pass --kubeconfig`);
  }
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  return yaml.dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'in-cluster', cluster: { server, ...(existsSync(caFile) ? { 'certificate-authority': caFile } : {}) } }],
    users: [{ name: 'in-cluster', user: { 'auth-provider': { name: 'tokenFile', config: { tokenFile } } } }],
    contexts: [{ name: 'in-cluster', context: { cluster: 'in-cluster', user: 'in-cluster' } }],
    'current-context': 'in-cluster',
  });
}

/** Writes the in-cluster kubeconfig to a new folder under the temp dir (`/tmp`, writable in the pod) and returns its path. */
export function writeInClusterKubeconfig(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fleetgraph-in-cluster-')), 'kubeconfig');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}
