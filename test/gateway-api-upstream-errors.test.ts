/**
 * A request can only hurt itself (issue 10): an upstream 4xx caused by the request's own arguments is that
 * field's error (BAD_USER_INPUT / NOT_FOUND, typed from the member's Status) and never the member's health,
 * while transport failures and 5xx still open the member's one breaker. Reads naming a cluster the fleet
 * does not have answer NOT_FOUND (UNKNOWN_CLUSTER) with the member list; a slow metrics server delays an
 * answer by at most --metrics-timeout. Real simulator, real gateway, real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';

type Obj = { metadata: { name: string; namespace?: string }; spec?: any; status?: any };

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture();
});

afterAll(async () => {
  if (fx) {
    for (const m of fx.sim.fleet.members.keys()) await fx.admin('POST', `/_sim/faults/${m}`, { unavailable503: false }).catch(() => undefined);
    await fx.stop();
  }
});

const members = () => [...fx.sim.fleet.members.keys()].sort();

/** A running pod of `cluster` whose first container has logs and never restarted (no previous instance). */
function runningPod(cluster: string): { namespace: string; name: string; container: string } {
  const sim = fx.sim.fleet.members.get(cluster)!;
  const pod = (sim.objects.list('pods') as Obj[]).find((p) => {
    if (p.status?.phase !== 'Running') return false;
    const c = p.spec.containers[0].name as string;
    return sim.logs.read(p.metadata.namespace!, p.metadata.name, c).length > 0 && sim.logs.read(p.metadata.namespace!, p.metadata.name, c, true).length === 0;
  });
  expect(pod, 'the demo scenario has running pods with logs').toBeDefined();
  return { namespace: pod!.metadata.namespace!, name: pod!.metadata.name, container: pod!.spec.containers[0].name };
}

const MEMBER_READ = `query($c: String!) { pods(first: 1, filter: { cluster: $c }) { totalCount } nodes(first: 1, filter: { cluster: $c }) { totalCount } }`;

describe("a request's own 4xx is that field's error, never the member's health", () => {
  it('previous logs of a container that never restarted, and a container that does not exist: BAD_USER_INPUT on logs only; the member answers the next read', async () => {
    const cluster = members()[0]!;
    const pod = runningPod(cluster);
    const LOGS = `query($c: String!, $ns: String!, $n: String!, $k: String, $prev: Boolean) {
      pod(cluster: $c, namespace: $ns, name: $n) { name logs(container: $k, previous: $prev) }
    }`;
    for (const variables of [
      { c: cluster, ns: pod.namespace, n: pod.name, prev: true },
      { c: cluster, ns: pod.namespace, n: pod.name, k: 'no-such-container' },
    ]) {
      const res = await fx.query(LOGS, variables);
      expect(res.status).toBe(200);
      // The pod itself answers; only its logs are null.
      expect(res.body.data.pod).toEqual({ name: pod.name, logs: null });
      expect(res.body.errors).toHaveLength(1);
      const [error] = res.body.errors!;
      expect(error!.path).toEqual(['pod', 'logs']);
      expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UPSTREAM_BAD_REQUEST', cluster });
      // A summary (status, Status reason, the member's message), never the member's raw headers.
      expect(error!.message).toContain('HTTP 400 BadRequest');
      expect(error!.message).not.toMatch(/cache-control|content-type|audit-id|headers/i);

      // Immediately after: every read of that member still answers, and its health shows no outage.
      const after = await fx.query(MEMBER_READ, { c: cluster });
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data.pods.totalCount).toBe(fx.sim.fleet.members.get(cluster)!.objects.list('pods').length);
      expect(fx.gateway.fleet.health(cluster)).toMatchObject({ unreachableSince: null, lastError: null });
    }
  });

  it('logs(tailLines: 0) gives no lines, logs(tailLines: 1) the last one, and a negative tailLines is BAD_USER_INPUT', async () => {
    const cluster = members()[0]!;
    const pod = runningPod(cluster);
    const q = (tail: number) => fx.query(`query($c: String!, $ns: String!, $n: String!, $t: Int) { pod(cluster: $c, namespace: $ns, name: $n) { logs(tailLines: $t) } }`, { c: cluster, ns: pod.namespace, n: pod.name, t: tail });
    const zero = await q(0);
    expect(zero.body.errors).toBeUndefined();
    expect(zero.body.data.pod.logs).toBe('');
    const one = await q(1);
    expect(one.body.errors).toBeUndefined();
    const lines = (one.body.data.pod.logs as string).split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const negative = await q(-1);
    expect(negative.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tailLines' });
  });

  it('a 503 from the member still opens its breaker (CLUSTER_UNAVAILABLE, MEMBER_CIRCUIT_OPEN) and it closes once the member answers', async () => {
    const cluster = members()[1]!;
    await fx.admin('POST', `/_sim/faults/${cluster}`, { unavailable503: true });
    try {
      // Events are always fetched: the first one answers 503 and opens the breaker; then even cached reads refuse.
      await eventually(async () => {
        await fx.query(`query($c: String!) { cluster(name: $c) { clusterEvents(first: 1) { totalCount } } }`, { c: cluster });
        const res = await fx.query(MEMBER_READ, { c: cluster });
        expect(res.body.errors?.length ?? 0).toBeGreaterThan(0);
        for (const e of res.body.errors!) expect(e.extensions).toMatchObject({ code: 'CLUSTER_UNAVAILABLE', reason: 'MEMBER_CIRCUIT_OPEN', cluster });
        expect(fx.gateway.fleet.health(cluster)!.unreachableSince).not.toBeNull();
      }, 40, 250);
      // The other members are untouched.
      const other = await fx.query(MEMBER_READ, { c: members()[0]! });
      expect(other.body.errors).toBeUndefined();
    } finally {
      await fx.admin('POST', `/_sim/faults/${cluster}`, { unavailable503: false });
    }
    await eventually(async () => {
      const res = await fx.query(MEMBER_READ, { c: cluster });
      expect(res.body.errors).toBeUndefined();
    }, 120, 250);
  });
});

describe('a read naming a cluster the fleet does not have', () => {
  it('answers NOT_FOUND with reason UNKNOWN_CLUSTER and the member list, for filters and single objects', async () => {
    const cases: Array<[string, Array<string | number>, string]> = [
      [`{ pods(first: 1, filter: { cluster: "nowhere" }) { totalCount } }`, ['pods'], 'filter.cluster'],
      [`{ nodes(first: 1, filter: { cluster: "nowhere" }) { totalCount } }`, ['nodes'], 'filter.cluster'],
      [`{ pod(cluster: "nowhere", namespace: "default", name: "x") { name } }`, ['pod'], 'cluster'],
      [`{ node(cluster: "nowhere", name: "x") { name } }`, ['node'], 'cluster'],
      [`{ memberWorkloads(first: 1, filter: { cluster: "nowhere" }) { totalCount } }`, ["memberWorkloads"], 'filter.cluster'],
    ];
    for (const [query, path, field] of cases) {
      const res = await fx.query(query);
      expect(res.status, query).toBe(200);
      expect(res.body.errors, query).toHaveLength(1);
      expect(res.body.errors![0]!.path, query).toEqual(path);
      expect(res.body.errors![0]!.extensions, query).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN_CLUSTER', field, members: members() });
    }
  });
});

describe('a slow metrics server', () => {
  let slow: GatewayFixture;

  beforeAll(async () => {
    slow = await startGatewayFixture({ args: ['--metrics-timeout', '400ms', '--timeout', '20s'] });
  });

  afterAll(async () => {
    if (slow) {
      for (const m of slow.sim.fleet.members.keys()) await slow.admin('POST', `/_sim/faults/${m}`, { latencyMs: 0 }).catch(() => undefined);
      await slow.stop();
    }
  });

  it('holds the answer up by at most --metrics-timeout: usage is null with UPSTREAM_TIMEOUT, the rest answers', async () => {
    const cluster = [...slow.sim.fleet.members.keys()].sort()[0]!;
    const node = (slow.sim.fleet.members.get(cluster)!.objects.list('nodes') as Obj[])[0]!.metadata.name;
    const Q = `query($c: String!, $n: String!) { node(cluster: $c, name: $n) { name usage { cpuCores } } }`;
    const before = await slow.query(Q, { c: cluster, n: node });
    expect(before.body.errors).toBeUndefined();
    expect(typeof before.body.data.node.usage.cpuCores).toBe('number');

    // Every request to the member now takes 3 s: far below the call timeout, far above the metrics timeout.
    await slow.admin('POST', `/_sim/faults/${cluster}`, { latencyMs: 3000 });
    const res = await slow.query(Q, { c: cluster, n: node });
    expect(res.body.data.node).toEqual({ name: node, usage: null });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.path).toEqual(['node', 'usage']);
    expect(res.body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', cluster });
    // A metrics timeout is not the member's outage: its other reads still answer.
    expect(slow.gateway.fleet.health(cluster)!.unreachableSince).toBeNull();
  });
});
