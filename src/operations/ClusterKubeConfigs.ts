/**
 * The KubeConfig each write goes through: the same ones the data layer reads with (control plane context;
 * members through their own `--member` context or the Karmada cluster proxy path), built with the data
 * layer's own kubeconfig builders so reads and writes of a cluster always use the same identity and route.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Config } from '../config/Config.js';
import { loadControlPlaneKubeConfig, memberKubeConfigFromContext, memberKubeConfigViaProxy } from '../fleet/kubeConfigs.js';
import { CONTROL_PLANE } from '../fleet/types.js';

/** Gives the KubeConfig of a member, or of the control plane for CONTROL_PLANE. */
export interface KubeConfigSource {
  kubeConfig(cluster: string): KubeConfig;
}

export class ClusterKubeConfigs implements KubeConfigSource {
  private readonly controlPlane: KubeConfig;
  private readonly members = new Map<string, KubeConfig>();

  constructor(private readonly config: Pick<Config, 'kubeconfig' | 'context' | 'memberContexts'>) {
    if (!config.kubeconfig) throw new Error('operations need config.kubeconfig');
    this.controlPlane = loadControlPlaneKubeConfig(config.kubeconfig, config.context);
  }

  kubeConfig(cluster: string): KubeConfig {
    if (cluster === CONTROL_PLANE) return this.controlPlane;
    let kc = this.members.get(cluster);
    if (!kc) {
      const context = this.config.memberContexts[cluster];
      kc = context ? memberKubeConfigFromContext(this.controlPlane, context) : memberKubeConfigViaProxy(this.controlPlane, cluster);
      this.members.set(cluster, kc);
    }
    return kc;
  }
}
