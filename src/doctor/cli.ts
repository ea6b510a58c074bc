/**
 * `fleetgraph doctor`: checks that a Karmada fleet and the kubeconfig's identity give the gateway what it
 * needs, before the gateway is started with them. It takes the same options as `serve` (flags, env,
 * config file: copy the serve command line and change the subcommand); those about listening are ignored,
 * those that change what the gateway does (`--auth`, `--authz`, `--read-only`, `--member`,
 * `--middleware-group`, `--timeout`) change what is checked.
 *
 * Exit status: 0 everything required is in place (warnings allowed); 1 something required is missing or a
 * member cannot be reached; 2 a usage error, an unreadable kubeconfig or an unreachable control plane,
 * each said in one line.
 */
import { ConfigError } from '../config/ConfigError.js';
import { loadConfig } from '../config/loadConfig.js';
import { renderReport } from './renderReport.js';
import { exitStatusOf } from './report.js';
import { ControlPlaneUnreachable, runDoctor } from './runDoctor.js';

export const DOCTOR_HELP = `Usage: fleetgraph doctor --kubeconfig <file> [--context <ctx>] [serve options]

Checks the Karmada control plane and each member as the gateway would reach them: reachable, version, the
APIs the gateway reads (Karmada groups and the cluster proxy, metrics.k8s.io, the middleware CRDs), and
whether the kubeconfig's identity may do each thing the gateway needs (SelfSubjectAccessReview). Prints a
table and, for each gap, the RBAC rule to add.

Takes the options of "fleetgraph serve" (see its --help); these change what is checked:
  --auth none|token|oidc|kubernetes   none (default): the gateway writes as itself; otherwise it impersonates callers
  --authz rbac|sar                    rbac (default) also reads every cluster's RBAC
  --read-only                         no writes: only reads are checked
  --member <cluster>=<context>        reach that member through its own context, as the gateway would
  --middleware-group, --middleware-version, --timeout
  --operations-namespace <ns>         where the shared Operations (FleetOperations, Leases) would live

Exit status: 0 ready (warnings allowed), 1 something required is missing or a member is unreachable,
2 usage error, unreadable kubeconfig or unreachable control plane.`;

export async function runDoctorCli(args: readonly string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(DOCTOR_HELP);
    return;
  }
  const fail = (message: string): never => {
    console.error(`fleetgraph doctor: ${message}`);
    process.exit(2);
  };
  let config;
  try {
    const loaded = loadConfig(args);
    if (loaded.kind !== 'config') return;
    config = loaded.config;
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  if (!config.kubeconfig) return fail('--kubeconfig <file> is required (the kubeconfig the gateway would use)');

  let report;
  try {
    report = await runDoctor({
      kubeconfig: config.kubeconfig,
      context: config.context,
      memberContexts: config.memberContexts,
      middleware: config.middleware,
      settings: { auth: config.auth, authz: config.authz, readOnly: config.readOnly },
      callTimeoutMs: config.callTimeoutMs,
      ...(config.operations ? { operationsNamespace: config.operations.namespace } : {}),
    });
  } catch (error) {
    if (error instanceof ControlPlaneUnreachable) return fail(error.message);
    // A kubeconfig that does not parse or has no such context: client-node's and js-yaml's messages run
    // over several lines (a YAML excerpt); the first says what is wrong.
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return fail(`${config.kubeconfig}: ${first}`);
  }
  console.log(renderReport(report));
  process.exit(exitStatusOf(report));
}
