/**
 * The fleet identity: a short name of the Karmada control plane a gateway fronts, part of every Redis key and
 * channel, so that gateways over different fleets sharing one Redis (and one key prefix) never read each
 * other's cached lists or events. Derived from what identifies a control plane to a client, its endpoint and
 * its CA, or given with `--fleet-id` (replicas reaching one control plane through different addresses, tests).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Config } from '../config/Config.js';
import { loadControlPlaneKubeConfig } from './kubeConfigs.js';

/** What identifies a control plane: its server URL and the CA its certificate is checked against. */
export interface ControlPlaneEndpoint {
  server: string;
  /** PEM or base64 PEM of the CA; undefined when the kubeconfig has none (system CAs, or TLS not checked). */
  caData?: string;
}

/** Hex characters kept of the SHA-256: 48 bits, plenty to tell apart the fleets sharing one Redis. */
const ID_LENGTH = 12;

/**
 * `sha256(server + "\n" + ca)` cut to 12 hex characters. The server URL is taken without a trailing slash, so
 * `https://cp:6443` and `https://cp:6443/` are one fleet.
 */
export function fleetIdentity(endpoint: ControlPlaneEndpoint): string {
  const hash = createHash('sha256');
  hash.update(endpoint.server.replace(/\/+$/, ''));
  hash.update('\n');
  hash.update(endpoint.caData ?? '');
  return hash.digest('hex').slice(0, ID_LENGTH);
}

/**
 * The fleet id of a configuration: `config.fleetId` when given, else derived from the control plane context of
 * `config.kubeconfig` (its cluster's server and CA data, or the CA file's content).
 * @throws Error when neither is available, or the kubeconfig cannot be read.
 */
export function fleetIdOf(config: Pick<Config, 'fleetId' | 'kubeconfig' | 'context'>): string {
  if (config.fleetId) return config.fleetId;
  if (!config.kubeconfig) throw new Error('a fleet id needs --fleet-id or a kubeconfig to derive it from');
  return fleetIdOfKubeConfig(loadControlPlaneKubeConfig(config.kubeconfig, config.context));
}

/** The fleet id derived from a loaded control plane KubeConfig (its current cluster). */
export function fleetIdOfKubeConfig(kc: KubeConfig): string {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig\'s current context has no cluster');
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile, 'utf8') : undefined);
  return fleetIdentity({ server: cluster.server, ...(caData !== undefined ? { caData } : {}) });
}
