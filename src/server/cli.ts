/**
 * `fleetgraph serve`: parses flags into the Config, checks what a newcomer most often gets wrong (a port in
 * use, the kubeconfig, the control plane) before starting anything, and without a kubeconfig starts the
 * embedded `demo` simulator in this process on an ephemeral 127.0.0.1 port (the ONE place src/ loads
 * src/sim, dynamically, so that a gateway pointed at a real fleet never loads simulator code). Then starts
 * the gateway, prints where to reach it, and stops gracefully on SIGINT/SIGTERM within --shutdown-timeout.
 *
 * Every failure to start is one line on stderr and exit status 1 (2 for a usage error); the embedded
 * fleet's temporary folder (it holds an admin token) is removed on every way out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/Config.js';
import { ConfigError } from '../config/ConfigError.js';
import { loadConfig } from '../config/loadConfig.js';
import { createLogger } from './logger.js';
import { startGateway, type Gateway } from './startGateway.js';
import { checkControlPlane, checkPortFree, StartupError } from './startupChecks.js';

interface EmbeddedSimulator {
  url: string;
  stop(): Promise<void>;
}

/** The embedded demo fleet and the names of its demo users (loaded only when there is no kubeconfig). */
async function startEmbeddedSimulator(kubeconfigOut: string): Promise<{ simulator: EmbeddedSimulator; users: readonly string[] }> {
  const path = '../sim/index.js';
  const usersPath = '../sim/scenarios/demoUsers.js';
  const sim = (await import(path)) as {
    startSimulator(o: { port: number; host: string; scenario: string; kubeconfigOut: string; churnPerMinute: number }): Promise<EmbeddedSimulator>;
  };
  const { DEMO_USERS } = (await import(usersPath)) as { DEMO_USERS: readonly string[] };
  // Gentle churn (2 pod replacements per member and minute), so that a newcomer's fleet is live.
  const simulator = await sim.startSimulator({ port: 0, host: '127.0.0.1', scenario: 'demo', kubeconfigOut, churnPerMinute: 2 });
  return { simulator, users: DEMO_USERS };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

export async function runServe(args: readonly string[]): Promise<void> {
  let config: Config;
  try {
    const loaded = loadConfig(args);
    if (loaded.kind === 'help') {
      console.log(loaded.text);
      return;
    }
    config = loaded.config;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`fleetgraph serve: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }

  const logger = createLogger(config.logLevel);
  let simulator: EmbeddedSimulator | undefined;
  let tempDir: string | undefined;
  const removeTemp = () => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    tempDir = undefined;
  };
  // A failed start, an uncaught error or a second signal: the temporary folder goes on every way out.
  process.once('exit', removeTemp);

  let gateway: Gateway;
  let demoUsers: readonly string[] = [];
  try {
    await checkPortFree(config.host, config.port);
    if (config.kubeconfig) {
      const version = await checkControlPlane(config.kubeconfig, config.context, Math.min(config.callTimeoutMs ?? 30_000, 15_000));
      logger.info({ kubeconfig: config.kubeconfig, version }, 'the Karmada control plane answers');
    } else {
      tempDir = mkdtempSync(join(tmpdir(), 'fleetgraph-demo-'));
      const kubeconfig = join(tempDir, 'kubeconfig.yaml');
      const started = await startEmbeddedSimulator(kubeconfig);
      simulator = started.simulator;
      demoUsers = started.users;
      config = { ...config, kubeconfig };
      logger.info({ simulator: simulator.url }, 'no --kubeconfig: started the embedded demo simulator');
    }
    gateway = await startGateway(config, { logger });
  } catch (error) {
    // One line, what to do; the stack only at debug level (a bug, not a mistake, deserves it).
    if (!(error instanceof StartupError)) logger.debug({ err: error }, 'start failed');
    console.error(`fleetgraph serve: ${error instanceof StartupError ? error.message : firstLine(error)}`);
    await simulator?.stop().catch(() => undefined);
    removeTemp();
    process.exit(1);
  }

  console.log(`fleetgraph: GraphQL at ${gateway.url} (open it in a browser for GraphiQL), fleet dashboard at ${gateway.url.replace(/\/graphql$/, '/ui')}${simulator ? `; demo fleet simulated at ${simulator.url}` : ''}`);
  if (simulator) {
    // The demo users' tokens (platform-viewer, shop-dev, ops-oncall) are in this file: with --auth kubernetes
    // they are how a newcomer tries the gateway as someone (README, "Trying it as a demo user").
    console.log(`fleetgraph: the demo fleet's kubeconfig (control plane, members and demo users; removed on exit):`);
    console.log(`  export KUBECONFIG=${config.kubeconfig}`);
    console.log(`fleetgraph: demo users (their tokens are in that kubeconfig; try them with --auth kubernetes): ${demoUsers.join(', ')}`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      // A second signal: the user wants out now.
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    const timeoutMs = config.shutdownTimeoutMs ?? 25_000;
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took longer than --shutdown-timeout: exiting now');
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    let code = 0;
    try {
      await gateway.stop({ reason: `the gateway shut down (${signal})` });
      await simulator?.stop();
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      code = 1;
    } finally {
      removeTemp();
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
