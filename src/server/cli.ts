/**
 * `fleetgraph serve`: parses flags into the Config, and without a kubeconfig starts the embedded `demo`
 * simulator in this process on an ephemeral 127.0.0.1 port (the ONE place src/ loads src/sim, dynamically,
 * so that a gateway pointed at a real fleet never loads simulator code). Then starts the gateway, prints
 * its URL, and stops both cleanly on SIGINT/SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/Config.js';
import { ConfigError } from '../config/ConfigError.js';
import { loadConfig } from '../config/loadConfig.js';
import { createLogger } from './logger.js';
import { startGateway } from './startGateway.js';

interface EmbeddedSimulator {
  url: string;
  stop(): Promise<void>;
}

async function startEmbeddedSimulator(kubeconfigOut: string): Promise<EmbeddedSimulator> {
  const path = '../sim/index.js';
  const sim = (await import(path)) as {
    startSimulator(o: { port: number; host: string; scenario: string; kubeconfigOut: string; churnPerMinute: number }): Promise<EmbeddedSimulator>;
  };
  // Gentle churn (2 pod replacements per member and minute), so that a newcomer's fleet is live.
  return sim.startSimulator({ port: 0, host: '127.0.0.1', scenario: 'demo', kubeconfigOut, churnPerMinute: 2 });
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
  if (!config.kubeconfig) {
    tempDir = mkdtempSync(join(tmpdir(), 'fleetgraph-demo-'));
    const kubeconfig = join(tempDir, 'kubeconfig.yaml');
    simulator = await startEmbeddedSimulator(kubeconfig);
    config = { ...config, kubeconfig };
    logger.info({ simulator: simulator.url }, 'no --kubeconfig: started the embedded demo simulator');
  }

  const gateway = await startGateway(config, { logger });
  console.log(`fleetgraph: GraphQL at ${gateway.url}${simulator ? ` (demo fleet simulated at ${simulator.url})` : ''}`);
  // The demo users' tokens (platform-viewer, shop-dev, ops-oncall) are in this file: with --auth kubernetes
  // they are how a newcomer tries the gateway as someone (README, "Trying it as a demo user").
  if (simulator) console.log(`fleetgraph: demo kubeconfig (control plane and demo users) at ${config.kubeconfig}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    try {
      await gateway.stop();
      await simulator?.stop();
    } finally {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
