/**
 * `fleetgraph sim`: runs the fleet simulator until SIGINT/SIGTERM, printing its port and the path of
 * the kubeconfig it wrote.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from './index.js';
import type { SimulatorOptions } from './index.js';
import { scenarioNames } from './scenarios/index.js';

/** Gentle pod churn of a simulator started from the command line, per member and minute. */
export const DEFAULT_CLI_CHURN = 2;

const USAGE = `Usage: fleetgraph sim [options]

  --port <p>             port on 127.0.0.1 (0 = any free port; default 0)
  --host <h>             listen address (only 127.0.0.1 is allowed)
  --scenario <name>      scenario to seed (default demo)
  --seed <n>             PRNG seed (default 1)
  --churn <n>            pod replacements per minute per member (default 2; 0 = none)
  --kubeconfig-out <f>   where to write the kubeconfig (default: a file in the temp dir)
  --store <s>            memory | sqlite:<path> (default memory)
  --tokens <file>        JSON or YAML list of {token, user, groups, uid?} for more users
  --no-operations-crd    do not install the FleetOperation CRD on the control plane (demo, mini)
  --spare-members <n>    start n member clusters spare1..spare<n> that are not joined to Karmada
                         (kubeconfig contexts spare1..; join them with karmadactl join or joinCluster)`;

export interface ParsedSimArgs {
  options: SimulatorOptions;
  help: boolean;
}

export function parseSimArgs(args: string[]): ParsedSimArgs {
  const options: SimulatorOptions = {};
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (v: string): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer, got "${v}"`);
      return n;
    };
    switch (flag) {
      case '--port':
        options.port = int(value());
        if (options.port > 65535) throw new Error(`--port must be at most 65535`);
        break;
      case '--host': {
        const h = value();
        if (h !== '127.0.0.1' && h !== 'localhost') throw new Error(`--host must be 127.0.0.1 (the simulator only listens on loopback), got "${h}"`);
        options.host = '127.0.0.1';
        break;
      }
      case '--scenario':
        options.scenario = value();
        break;
      case '--seed':
        options.seed = int(value());
        break;
      case '--churn':
        options.churnPerMinute = int(value());
        break;
      case '--kubeconfig-out':
        options.kubeconfigOut = value();
        break;
      case '--store':
        options.store = value();
        break;
      case '--tokens':
        options.tokens = value();
        break;
      case '--spare-members':
        options.spareMembers = int(value());
        if (options.spareMembers > 50) throw new Error(`--spare-members must be at most 50`);
        break;
      case '--no-operations-crd':
        if (inline !== undefined) throw new Error(`${flag} takes no value`);
        options.operationsCrd = false;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new Error(`unknown option "${arg}"`);
    }
  }
  return { options, help };
}

export interface RunSimOptions {
  /**
   * Exit the process shortly after a clean stop, so that a stray timer cannot keep it alive.
   * Tests that run the CLI in-process turn it off.
   * @default true
   */
  exitAfterStop?: boolean;
}

export async function runSim(args: string[], runOptions: RunSimOptions = {}): Promise<void> {
  let parsed: ParsedSimArgs;
  try {
    parsed = parseSimArgs(args);
  } catch (err) {
    console.error(`fleetgraph sim: ${(err as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    console.log(`${USAGE}\n\nScenarios: ${scenarioNames().join(', ')}`);
    return;
  }
  const options = { ...parsed.options };
  options.kubeconfigOut ??= join(tmpdir(), `fleetgraph-sim-${process.pid}.kubeconfig`);
  // A fleet someone looks at should move a little, as a real one does; tests that count pass --churn 0
  // (or use startSimulator, whose default stays 0).
  options.churnPerMinute ??= DEFAULT_CLI_CHURN;
  let sim;
  try {
    sim = await startSimulator(options);
  } catch (err) {
    console.error(`fleetgraph sim: ${(err as Error).message}`);
    process.exitCode = 1;
    return;
  }
  console.log(`fleetgraph simulator listening on ${sim.url} (port ${sim.port})`);
  console.log(`scenario ${options.scenario ?? 'demo'}, members: ${[...sim.fleet.members.keys()].join(', ') || '(none)'}`);
  if (sim.fleet.spares.size > 0) console.log(`spare members (not joined): ${[...sim.fleet.spares.keys()].join(', ')}`);
  console.log(`port: ${sim.port}`);
  console.log(`kubeconfig: ${sim.kubeconfigPath}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      console.log(`received ${signal}, stopping`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      sim.stop().then(resolve, (err: unknown) => {
        console.error('fleetgraph sim: error while stopping:', err);
        resolve();
      });
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  process.exitCode = 0;
  // Everything is stopped; a stray timer of some controller must not keep the process alive.
  if (runOptions.exitAfterStop ?? true) setTimeout(() => process.exit(0), 2000).unref();
}
