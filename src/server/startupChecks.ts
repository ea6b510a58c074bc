/**
 * What `fleetgraph serve` checks before it starts anything (the embedded simulator included), so that the
 * common first-minute mistakes — a port in use, a missing or malformed kubeconfig, an unknown context, a
 * control plane that does not answer — are said in one line, with what to do, rather than as a stack trace
 * from deep inside a library.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { ClusterClient } from '../fleet/ClusterClient.js';
import { loadControlPlaneKubeConfig } from '../fleet/kubeConfigs.js';
import { UpstreamError } from '../fleet/UpstreamError.js';

/** A start-up failure the user can fix: its message is the one line printed (no stack). */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Refuses a port another process listens on (EADDRINUSE) or one this user may not bind (EACCES). */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new StartupError(`port ${port} on ${host} is already in use (is another fleetgraph running? choose another with --port)`));
      else if (err.code === 'EACCES') reject(new StartupError(`may not listen on port ${port} on ${host} (ports below 1024 need privileges: choose another with --port)`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new StartupError(`cannot listen on ${host}: no such address on this machine (--host)`));
      else reject(new StartupError(`cannot listen on ${host}:${port}: ${err.message}`));
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/**
 * Reads the kubeconfig as the gateway will, and asks the control plane for its version (bounded by
 * `timeoutMs`): a missing file, YAML that does not parse, an unknown context, a control plane that does not
 * answer or refuses the credentials each become one StartupError.
 */
export async function checkControlPlane(file: string, context: string | undefined, timeoutMs: number): Promise<string> {
  if (!existsSync(file)) throw new StartupError(`kubeconfig ${file} does not exist (--kubeconfig, or KUBECONFIG)`);
  let client: ClusterClient;
  try {
    const kc = loadControlPlaneKubeConfig(file, context);
    client = new ClusterClient({ name: 'karmada', kubeConfig: kc, callTimeoutMs: timeoutMs, throttleRetries: 0 });
  } catch (error) {
    // js-yaml and client-node put a YAML excerpt after the first line: the first line says what is wrong.
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new StartupError(`kubeconfig ${file}: ${first}`);
  }
  const server = client.kubeConfig.getCurrentCluster()?.server ?? '?';
  try {
    const v = await client.getJson<{ gitVersion?: string }>('/version', {}, 'version');
    return v.gitVersion ?? 'unknown';
  } catch (error) {
    if (error instanceof UpstreamError && (error.status === 401 || error.status === 403)) {
      throw new StartupError(`the Karmada control plane at ${server} refused the kubeconfig's credentials (HTTP ${error.status}; context ${client.kubeConfig.getCurrentContext()})`);
    }
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new StartupError(`the Karmada control plane at ${server} does not answer: ${first}`);
  } finally {
    client.close();
  }
}
