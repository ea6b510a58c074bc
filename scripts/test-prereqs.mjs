#!/usr/bin/env node
// Makes sure the programs the test suite drives are on this machine: kubectl (the simulator must
// satisfy a real client), chromium (GraphiQL is tested in a real headless browser), prometheus (the
// usage history's Prometheus source is tested against a real one, Debian's 2.42) and a Redis
// answering on 127.0.0.1:6379 (the shared cache and EventHub tests use the real one), and a PostgreSQL
// answering on 127.0.0.1:5432 for user postgres without a password (the shared audit store's tests).
// As root on Debian/Ubuntu it installs what is missing with apt-get; otherwise it says exactly
// what to install and fails, so that a missing program is never mistaken for a passing test.
import { execSync, spawnSync } from 'node:child_process';
import { connect } from 'node:net';

const need = [
  { bin: 'kubectl', apt: 'kubernetes-client' },
  { bin: 'chromium', apt: 'chromium' },
  { bin: 'redis-server', apt: 'redis-server' },
  // Debian's package; only its binary is used (the tests start it on 127.0.0.1 with a temp config).
  { bin: 'prometheus', apt: 'prometheus', aptOptions: '--no-install-recommends' },
];

const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = has('apt-get');

const missing = need.filter((n) => !has(n.bin));
if (missing.length > 0) {
  const pkgs = missing.map((m) => m.apt).join(' ');
  if (isRoot && hasApt) {
    console.log(`test-prereqs: installing ${pkgs} with apt-get`);
    // One install per set of options (prometheus without its recommends: no node-exporter, no daemons).
    const byOptions = new Map();
    for (const m of missing) byOptions.set(m.aptOptions ?? '', [...(byOptions.get(m.aptOptions ?? '') ?? []), m.apt]);
    execSync('apt-get update -qq', { stdio: 'inherit' });
    for (const [options, list] of byOptions) {
      execSync(`DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${options} ${list.join(' ')}`, { stdio: 'inherit' });
    }
  } else {
    console.error(
      `test-prereqs: missing ${missing.map((m) => m.bin).join(', ')}.\n` +
        `Install them first, e.g. on Debian/Ubuntu: sudo apt-get install ${pkgs}`,
    );
    process.exit(1);
  }
}

function redisAnswers() {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

if (!(await redisAnswers())) {
  console.log('test-prereqs: Redis is not answering on 127.0.0.1:6379, starting redis-server');
  spawnSync(
    'redis-server',
    ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'],
    { stdio: 'inherit' },
  );
  for (let i = 0; i < 50 && !(await redisAnswers()); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await redisAnswers())) {
    console.error('test-prereqs: could not start redis-server on 127.0.0.1:6379');
    process.exit(1);
  }
}
/** Whether PostgreSQL accepts `postgres` without a password on 127.0.0.1:5432; the error when it does not. */
async function postgresAnswers() {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let pgError = await postgresAnswers();
if (pgError && has('pg_ctlcluster') && spawnSync('sh', ['-c', 'ls /etc/postgresql'], { stdio: 'ignore' }).status === 0) {
  console.log('test-prereqs: PostgreSQL is not answering on 127.0.0.1:5432, starting its cluster');
  const version = execSync('ls /etc/postgresql | head -n 1').toString().trim();
  spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  for (let i = 0; i < 50 && (pgError = await postgresAnswers()); i++) await new Promise((r) => setTimeout(r, 200));
}
if (pgError) {
  console.error(
    `test-prereqs: PostgreSQL on 127.0.0.1:5432 (user postgres, no password) is needed by the audit tests: ${pgError}.\n` +
      'Install and start it, e.g. on Debian/Ubuntu: sudo apt-get install postgresql, then allow "host all postgres 127.0.0.1/32 trust" in pg_hba.conf and restart it',
  );
  process.exit(1);
}
console.log('test-prereqs: kubectl, chromium, prometheus, redis and postgresql are ready');
