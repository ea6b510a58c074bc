/**
 * Builds client-node KubeConfigs: the Karmada control plane (the given or current context), and for each
 * member either its own context (`--member <cluster>=<context>`) or the control plane's server and
 * credentials pointed at the Karmada cluster proxy path, which is how Karmada itself exposes members.
 */
import { KubeConfig } from '@kubernetes/client-node';

/** Loads the kubeconfig and selects the control plane context. */
export function loadControlPlaneKubeConfig(file: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  if (context) {
    if (!kc.getContextObject(context)) {
      throw new Error(`context "${context}" is not in ${file} (contexts: ${kc.getContexts().map((c) => c.name).join(', ')})`);
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) throw new Error(`${file}: the current context has no cluster`);
  return kc;
}

/** A member through its own context of the same kubeconfig. */
export function memberKubeConfigFromContext(controlPlane: KubeConfig, context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: controlPlane.getClusters(),
    users: controlPlane.getUsers(),
    contexts: controlPlane.getContexts(),
    currentContext: context,
  });
  if (!kc.getContextObject(context)) throw new Error(`member context "${context}" is not in the kubeconfig`);
  return kc;
}

/** A member through `/apis/cluster.karmada.io/v1alpha1/clusters/<member>/proxy` of the control plane. */
export function memberKubeConfigViaProxy(controlPlane: KubeConfig, member: string): KubeConfig {
  const cluster = controlPlane.getCurrentCluster()!;
  const user = controlPlane.getCurrentUser();
  const server = `${cluster.server.replace(/\/$/, '')}/apis/cluster.karmada.io/v1alpha1/clusters/${encodeURIComponent(member)}/proxy`;
  const name = `karmada-proxy-${member}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ ...cluster, name, server }],
    users: user ? [user] : [],
    contexts: [{ name, cluster: name, user: user?.name ?? '' }],
    currentContext: name,
  });
  return kc;
}
