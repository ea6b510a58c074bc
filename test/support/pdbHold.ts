/**
 * A drain that cannot finish by itself: on `member`, the scenario's budgets in `web` are replaced by one that
 * allows no disruption of the web pods on `node`, so their evictions are refused (429) and retried until the
 * drain's pod timeout. Used by the tests that need an Operation still running when something happens to the
 * gateway (SIGKILL, SIGTERM).
 */
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';

export async function holdWebPodsOn(simKubeconfig: string, member: string, node: string): Promise<{ objects: KubernetesObjectApi; held: any[] }> {
  const kc = new KubeConfig();
  kc.loadFromString(simKubeconfig);
  kc.setCurrentContext(member);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const pdb of (await objects.list('policy/v1', 'PodDisruptionBudget', 'web')).items) {
    await objects.delete({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: pdb.metadata!.name!, namespace: 'web' } });
  }
  const held = ((await objects.list('v1', 'Pod', 'web')).items as any[]).filter((p) => p.spec.nodeName === node);
  if (held.length === 0) throw new Error(`no web pod on ${member}/${node} to hold`);
  await objects.create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'hold', namespace: 'web' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: held[0].metadata.labels.app } } } } as any);
  return { objects, held };
}
