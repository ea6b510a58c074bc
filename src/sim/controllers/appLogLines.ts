/**
 * Plausible application log lines for the simulated kubelet to write, chosen by container image
 * (nginx access logs, redis, postgres, JVM services, node services, a generic structured logger), so
 * that `kubectl logs` and the gateway's log tails show something that reads like a real workload.
 */
import type { Random } from '../random.js';

type Flavour = 'nginx' | 'redis' | 'postgres' | 'java' | 'node' | 'generic' | 'agent';

function flavourOf(image: string): Flavour {
  const name = image.toLowerCase();
  if (name.includes('nginx') || name.includes('ingress')) return 'nginx';
  if (name.includes('redis')) return 'redis';
  if (name.includes('postgres') || name.includes('mysql')) return 'postgres';
  if (name.includes('java') || name.includes('jdk') || name.includes('spring') || name.includes('kafka') || name.includes('elasticsearch')) return 'java';
  if (name.includes('node') && !name.includes('exporter')) return 'node';
  if (name.includes('exporter') || name.includes('fluent') || name.includes('agent') || name.includes('proxy')) return 'agent';
  return 'generic';
}

const PATHS = ['/', '/healthz', '/api/v1/orders', '/api/v1/orders/1042', '/api/v1/users/me', '/static/app.js', '/static/app.css', '/api/v1/cart', '/metrics', '/favicon.ico', '/api/v1/search?q=shoes'];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36', 'kube-probe/1.26', 'curl/7.88.1', 'Go-http-client/1.1', 'python-requests/2.31.0'];
const STATUSES = [200, 200, 200, 200, 200, 200, 201, 204, 304, 404, 500];

function clientIp(random: Random): string {
  return `10.${random.between(0, 255)}.${random.between(0, 255)}.${random.between(2, 254)}`;
}

function nginxTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** One ordinary line of a running container. */
export function appLogLine(image: string, random: Random, now = new Date()): string {
  const iso = now.toISOString();
  switch (flavourOf(image)) {
    case 'nginx': {
      const status = random.pick(STATUSES);
      return `${clientIp(random)} - - [${nginxTime(now)}] "${random.pick(METHODS)} ${random.pick(PATHS)} HTTP/1.1" ${status} ${status === 204 || status === 304 ? 0 : random.between(120, 48000)} "-" "${random.pick(AGENTS)}"`;
    }
    case 'redis':
      return random.chance(0.7)
        ? `1:M ${now.toUTCString().slice(5, 25)}.${String(now.getUTCMilliseconds()).padStart(3, '0')} * ${random.between(1, 100)} changes in 300 seconds. Saving...`
        : `1:M ${now.toUTCString().slice(5, 25)}.${String(now.getUTCMilliseconds()).padStart(3, '0')} * Background saving terminated with success`;
    case 'postgres':
      return random.chance(0.8)
        ? `${iso.replace('T', ' ').slice(0, 23)} UTC [${random.between(60, 900)}] LOG:  checkpoint complete: wrote ${random.between(1, 400)} buffers (${(random.next() * 3).toFixed(1)}%); 0 WAL file(s) added, 0 removed, 1 recycled`
        : `${iso.replace('T', ' ').slice(0, 23)} UTC [${random.between(60, 900)}] LOG:  duration: ${(random.next() * 40).toFixed(3)} ms  statement: SELECT * FROM orders WHERE id = $1`;
    case 'java': {
      const level = random.chance(0.9) ? 'INFO' : random.chance(0.7) ? 'WARN' : 'ERROR';
      const messages = [
        `Completed request GET /api/v1/orders in ${random.between(2, 180)}ms`,
        `HikariPool-1 - Pool stats (total=10, active=${random.between(0, 10)}, idle=${random.between(0, 10)}, waiting=0)`,
        `Processed batch of ${random.between(1, 500)} messages from topic orders`,
        `Cache hit ratio ${(random.next() * 0.3 + 0.7).toFixed(3)} over the last 60s`,
      ];
      return `${iso.replace('T', ' ').slice(0, 23)}  ${level} 1 --- [nio-8080-exec-${random.between(1, 10)}] c.e.shop.api.OrderController       : ${random.pick(messages)}`;
    }
    case 'node':
      return JSON.stringify({ level: random.chance(0.92) ? 30 : 40, time: now.getTime(), pid: 1, hostname: 'app', msg: `request completed`, req: { method: random.pick(METHODS), url: random.pick(PATHS) }, res: { statusCode: random.pick(STATUSES) }, responseTime: random.between(1, 250) });
    case 'agent':
      return `level=info ts=${iso} caller=collector.go:${random.between(80, 400)} msg="scrape finished" duration_seconds=${(random.next() * 0.2).toFixed(4)} samples=${random.between(100, 4000)}`;
    default:
      return `time="${iso}" level=${random.chance(0.9) ? 'info' : 'warning'} msg="${random.pick(['handled request', 'reconciled item', 'flushed buffer', 'heartbeat ok', 'synced cache'])}" latency_ms=${random.between(1, 90)} items=${random.between(0, 64)}`;
  }
}

/** What a container prints when it starts. */
export function startupLines(image: string, container: string, now = new Date()): string[] {
  const iso = now.toISOString();
  switch (flavourOf(image)) {
    case 'nginx':
      return [
        '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
        '/docker-entrypoint.sh: Configuration complete; ready for start up',
        `${iso.slice(0, 19).replace(/-/g, '/').replace('T', ' ')} [notice] 1#1: start worker processes`,
      ];
    case 'redis':
      return ['1:C 01 Jan 2026 00:00:00.000 # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo', '1:M 01 Jan 2026 00:00:00.001 * Ready to accept connections tcp'];
    case 'postgres':
      return [`${iso.replace('T', ' ').slice(0, 23)} UTC [1] LOG:  starting PostgreSQL 15.4 on x86_64-pc-linux-gnu`, `${iso.replace('T', ' ').slice(0, 23)} UTC [1] LOG:  database system is ready to accept connections`];
    case 'java':
      return [`${iso.replace('T', ' ').slice(0, 23)}  INFO 1 --- [           main] c.e.shop.Application                     : Starting Application using Java 17.0.8`, `${iso.replace('T', ' ').slice(0, 23)}  INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port(s): 8080 (http)`];
    case 'node':
      return [JSON.stringify({ level: 30, time: now.getTime(), pid: 1, hostname: 'app', msg: 'Server listening at http://0.0.0.0:3000' })];
    default:
      return [`time="${iso}" level=info msg="starting ${container}"`, `time="${iso}" level=info msg="ready"`];
  }
}
