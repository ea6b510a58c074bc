/**
 * The kubeconfig the simulator writes: the Karmada control plane as the current context (`karmada`)
 * and one context per member, named after it, whose server goes through the Karmada cluster proxy
 * path, exactly as a kubeconfig for a real Karmada fleet would; a scenario's extra users get a user
 * entry and a control-plane context each.
 */
import yaml from 'js-yaml';

export interface SimKubeconfigOptions {
  /** `https://127.0.0.1:<port>` */
  url: string;
  caCertPem: string;
  /** The admin user's bearer token. */
  token: string;
  members: string[];
  /**
   * The user name in the kubeconfig.
   * @default 'karmada-admin'
   */
  userName?: string;
  /**
   * More users (a scenario's), each written as a user with its bearer token and a context of the same
   * name on the control plane; any member's cluster entry works with them too
   * (`kubectl --cluster member1 --user shop-dev`).
   * @default []
   */
  users?: Array<{ name: string; token: string }>;
  /**
   * Spare members (not joined): a cluster entry at the member's own endpoint (`<url>/members/<name>`), a
   * user `<name>-admin` with the member's own admin token, and a context `<name>` joining both.
   * @default []
   */
  spares?: Array<{ name: string; token: string }>;
}

/** A member's own API endpoint (not through Karmada): where a spare member is reached before it joins. */
export function memberOwnUrl(url: string, member: string): string {
  return `${url}/members/${member}`;
}

export function memberProxyUrl(url: string, member: string): string {
  return `${url}/apis/cluster.karmada.io/v1alpha1/clusters/${member}/proxy`;
}

export function buildKubeconfig(options: SimKubeconfigOptions): string {
  const user = options.userName ?? 'karmada-admin';
  const ca = Buffer.from(options.caCertPem).toString('base64');
  const clusters = [
    { name: 'karmada', cluster: { server: options.url, 'certificate-authority-data': ca } },
    ...options.members.map((m) => ({ name: m, cluster: { server: memberProxyUrl(options.url, m), 'certificate-authority-data': ca } })),
    ...(options.spares ?? []).map((s) => ({ name: s.name, cluster: { server: memberOwnUrl(options.url, s.name), 'certificate-authority-data': ca } })),
  ];
  const contexts = [
    { name: 'karmada', context: { cluster: 'karmada', user } },
    ...options.members.map((m) => ({ name: m, context: { cluster: m, user } })),
    ...(options.users ?? []).map((u) => ({ name: u.name, context: { cluster: 'karmada', user: u.name } })),
    ...(options.spares ?? []).map((s) => ({ name: s.name, context: { cluster: s.name, user: `${s.name}-admin` } })),
  ];
  return yaml.dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      preferences: {},
      'current-context': 'karmada',
      clusters,
      contexts,
      users: [
        { name: user, user: { token: options.token } },
        ...(options.users ?? []).map((u) => ({ name: u.name, user: { token: u.token } })),
        ...(options.spares ?? []).map((s) => ({ name: `${s.name}-admin`, user: { token: s.token } })),
      ],
    },
    { lineWidth: -1 },
  );
}
