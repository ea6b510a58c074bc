/**
 * fleetgraph CLI: `serve` (default) runs the GraphQL gateway, `sim` runs the fleet simulator, `doctor` checks
 * that a fleet and an identity give the gateway what it needs.
 * Each subcommand lives in its own module and is loaded only when used.
 */
// graphql-js runs extra development-time checks on every value it resolves unless NODE_ENV is
// `production` (they were ~10-25 % of a large query's CPU). The CLI is how the gateway runs in earnest,
// so it defaults to production; Apollo's introspection and stack-trace settings are explicit options and
// do not follow NODE_ENV. Set before any module that reads it is loaded (the subcommands load lazily).
process.env['NODE_ENV'] ??= 'production';

const [command = 'serve', ...rest] = process.argv.slice(2);

switch (command) {
  case 'serve': {
    const { runServe } = await import('./server/cli.js');
    await runServe(rest);
    break;
  }
  case 'doctor': {
    const { runDoctorCli } = await import('./doctor/cli.js');
    await runDoctorCli(rest);
    break;
  }
  case 'sim': {
    const { runSim } = await import('./sim/cli.js');
    await runSim(rest);
    break;
  }
  case '--help':
  case '-h':
  case 'help':
    console.log(`Usage:
  fleetgraph serve [--kubeconfig <file>] [--context <ctx>] [--member <cluster>=<context> ...] [--port <p>] [--host <h>]
  fleetgraph sim --port <p> --scenario <name> --kubeconfig-out <file>
  fleetgraph doctor --kubeconfig <file> [--context <ctx>] [--auth <mode>] [--read-only] [--member <cluster>=<context> ...]

Run "fleetgraph serve --help", "fleetgraph sim --help" or "fleetgraph doctor --help" for the options of each.`);
    break;
  default:
    console.error(`fleetgraph: unknown command "${command}" (expected "serve", "sim" or "doctor")`);
    process.exit(2);
}
