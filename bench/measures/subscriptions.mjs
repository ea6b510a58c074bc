/**
 * Measure 4: subscriptions. N graphql-ws clients (one socket and one `podChanged` subscription each)
 * filtered to one of K namespaces, while the bench drives pod changes through the simulator's HTTPS API
 * (merge patches of an annotation holding a sequence number and the send time); then a broadcast case
 * where every subscriber matches every change. Per case: delivery latency p50/p99 from the send of the
 * write to the client's receipt (same clock, same process), events delivered vs expected, and the
 * gateway's CPU (its own process.cpuUsage over the window).
 *
 * The pods are the bench's own: K namespaces `fgb-<run>-<i>` with a few pods each, spread over members,
 * created before the subscribers connect, so no scenario churn mixes in and no pod changes twice within
 * a fraction of a second (which the gateway may lawfully coalesce).
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { memberPrefix, simRequest } from '../simulatorClient.mjs';
import { queryGateway } from '../gatewayClient.mjs';
import { probe } from '../childProcesses.mjs';
import { percentile, summarize } from '../stats.mjs';

const ANNOTATION = 'bench.fleetgraph.io/sent';
const LABEL = 'fleetgraph-bench';
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const SUBSCRIPTION = `subscription PodChanges($namespace: String, $labelSelector: String) {
  podChanged(namespace: $namespace, labelSelector: $labelSelector) {
    type cluster at coalesced dropped
    pod { name namespace annotations { key value } }
  }
}`;

async function must(p, what) {
  const r = await p;
  if (r.status >= 300 && r.status !== 409) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
  return r;
}

/** Creates K namespaces with `podsPerNamespace` pods each, round-robin over members. */
async function createBenchPods(sim, run, namespaces, podsPerNamespace) {
  /** @type {Array<{ member: string, namespace: string, name: string }>} */
  const pods = [];
  const members = sim.members;
  const work = [];
  for (let i = 0; i < namespaces; i++) {
    const member = members[i % members.length];
    const namespace = `fgb-${run}-${String(i).padStart(3, '0')}`;
    work.push((async () => {
      await must(simRequest(sim, 'POST', `${memberPrefix(member)}/api/v1/namespaces`, { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } }), `namespace ${namespace}`);
      for (let j = 0; j < podsPerNamespace; j++) {
        const name = `sub-${j}`;
        await must(simRequest(sim, 'POST', `${memberPrefix(member)}/api/v1/namespaces/${namespace}/pods`, { body: {
          apiVersion: 'v1', kind: 'Pod',
          metadata: { name, namespace, labels: { [LABEL]: run } },
          spec: { containers: [{ name: 'app', image: 'registry.local/bench:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        } }), `pod ${namespace}/${name}`);
        pods.push({ member, namespace, name });
      }
    })());
  }
  await Promise.all(work);
  return pods;
}

/**
 * Drives `rate` changes per second for `seconds`, round-robin over `pods`, without waiting for each
 * answer (at most `maxInFlight` outstanding). Returns what was sent.
 */
async function drive(sim, pods, rate, seconds, seqStart, maxInFlight = 256) {
  const total = Math.round(rate * seconds);
  const sent = [];
  let inFlight = 0, failed = 0, skipped = 0;
  const t0 = now();
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    if (inFlight >= maxInFlight) { skipped++; continue; }
    const pod = pods[(seqStart + i) % pods.length];
    const seq = seqStart + i;
    const at = now();
    inFlight++;
    pending.push(simRequest(sim, 'PATCH', `${memberPrefix(pod.member)}/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`, {
      body: { metadata: { annotations: { [ANNOTATION]: `${seq}:${at.toFixed(3)}` } } },
      contentType: 'application/merge-patch+json',
    }).then((r) => { if (r.status !== 200) failed++; else sent.push({ seq, namespace: pod.namespace, at }); }, () => { failed++; })
      .finally(() => { inFlight--; }));
  }
  await Promise.all(pending);
  const elapsed = (now() - t0) / 1000;
  return { sent, failed, skipped, achievedRate: sent.length / elapsed };
}

/** A short text for whatever graphql-ws hands to `error` (an Error, a CloseEvent, GraphQL errors, an ErrorEvent). */
function describeError(err) {
  if (Array.isArray(err)) return err.map((e) => e?.message ?? String(e)).join('; ');
  if (err && typeof err === 'object') {
    if ('code' in err && 'reason' in err) return `socket closed ${err.code} ${err.reason}`;
    if ('message' in err) return String(err.message);
    if ('error' in err && err.error) return String(err.error.message ?? err.error);
  }
  return String(err);
}

/** Opens one graphql-ws client with one subscription; counts what arrives for this run. */
function subscriber(wsUrl, variables, sink, authorization) {
  const state = { received: 0, coalesced: 0, dropped: 0, resyncs: 0, errors: 0, firstError: '', latencies: [], toGateway: [], fromGateway: [], seqs: new Set() };
  const fail = (err) => {
    state.errors++;
    if (!state.firstError) state.firstError = describeError(err);
  };
  // onNonLazyError would print every failed connection to the console: count it instead.
  const client = createClient({
    url: wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, keepAlive: 0, onNonLazyError: fail,
    ...(authorization ? { connectionParams: { authorization } } : {}),
  });
  const dispose = client.subscribe({ query: SUBSCRIPTION, variables }, {
    next: (msg) => {
      const t = now();
      const ev = msg.data?.podChanged;
      if (!ev) { fail(msg.errors ?? msg); return; }
      if (ev.type === 'RESYNC') { state.resyncs++; state.dropped += ev.dropped ?? 0; return; }
      const a = ev.pod?.annotations?.find((x) => x.key === ANNOTATION);
      if (!a) return;
      const [seqText, atText] = a.value.split(':');
      const seq = Number(seqText);
      if (!sink.measuring || seq < sink.firstSeq) return;
      state.received++;
      state.coalesced += ev.coalesced ?? 0;
      state.seqs.add(seq);
      state.latencies.push(t - Number(atText));
      // `at` is when the gateway saw the change: it splits the path into simulator + informer (before)
      // and routing + payload + WebSocket + client (after). Millisecond resolution, same clock.
      const seen = Date.parse(ev.at);
      if (Number.isFinite(seen)) {
        state.toGateway.push(seen - Number(atText));
        state.fromGateway.push(t - seen);
      }
    },
    error: fail,
    complete: () => {},
  });
  return { client, state, close: async () => { dispose(); await client.dispose(); } };
}

/**
 * One case: `subscribers` clients, each given variables by `varsFor(i)`; `expectedFor(namespace)` =
 * how many subscribers should get a change of that namespace.
 */
async function runCase(ctx, c) {
  const sink = { measuring: false, firstSeq: Number.MAX_SAFE_INTEGER };
  const subs = [];
  for (let i = 0; i < c.subscribers; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(c.subscribers, i + 50); j++) batch.push(subscriber(ctx.gw.wsUrl, c.varsFor(j), sink, c.authorizationFor?.(j)));
    subs.push(...batch);
    await sleep(20);
  }
  try {
    // Warm-up: change every pod once and wait until every subscriber has seen something, which also
    // proves every subscription is live before the measured window starts.
    sink.measuring = true;
    sink.firstSeq = ctx.seq;
    // Subscriptions become live asynchronously (1,000 `subscribe` messages to process): drive warm-up
    // rounds until every subscriber has received something, for at most 60 s.
    const warmDeadline = Date.now() + 60000;
    while (subs.some((s) => s.state.received === 0) && Date.now() < warmDeadline) {
      const warm = await drive(ctx.sim, c.pods, c.rate, c.warmupSeconds, ctx.seq);
      ctx.seq += warm.sent.length + warm.skipped + warm.failed;
      const roundEnd = Date.now() + 5000;
      while (subs.some((s) => s.state.received === 0) && Date.now() < roundEnd) await sleep(200);
    }
    // Let the warm-up's own deliveries drain before the first measured window.
    await sleep(2000);
    const silent = subs.filter((s) => s.state.received === 0).length;
    if (silent === subs.length) {
      const why = subs.find((s) => s.state.firstError)?.state.firstError;
      throw new Error(`no subscriber received any event after the warm-up${why ? `: ${why}` : ''}`);
    }
    const runs = [];
    for (let r = 0; r < c.repetitions; r++) {
      for (const s of subs) { s.state.received = 0; s.state.coalesced = 0; s.state.dropped = 0; s.state.resyncs = 0; s.state.latencies = []; s.state.toGateway = []; s.state.fromGateway = []; s.state.seqs = new Set(); }
      sink.firstSeq = ctx.seq;
      const cpu0 = await probe(ctx.gw.child);
      const simCpu0 = ctx.simChild ? await probe(ctx.simChild) : undefined;
      const w0 = now();
      const self0 = process.cpuUsage();
      const d = await drive(ctx.sim, c.pods, c.rate, c.seconds, ctx.seq);
      ctx.seq += d.sent.length + d.skipped + d.failed;
      // Drain: wait until deliveries stop (2 s of silence) or 15 s pass.
      let last = -1;
      const drainDeadline = Date.now() + 15000;
      for (;;) {
        const total = subs.reduce((a, s) => a + s.state.received, 0);
        const expected = d.sent.reduce((a, x) => a + c.expectedFor(x.namespace), 0);
        if (total >= expected || (total === last && Date.now() > drainDeadline - 13000) || Date.now() > drainDeadline) break;
        last = total;
        await sleep(2000);
      }
      const cpu1 = await probe(ctx.gw.child);
      const simCpu1 = ctx.simChild ? await probe(ctx.simChild) : undefined;
      const wallMicros = (now() - w0) * 1000;
      const self1 = process.cpuUsage(self0);
      const expected = d.sent.reduce((a, x) => a + c.expectedFor(x.namespace), 0);
      const delivered = subs.reduce((a, s) => a + s.state.received, 0);
      const coalesced = subs.reduce((a, s) => a + s.state.coalesced, 0);
      const dropped = subs.reduce((a, s) => a + s.state.dropped, 0);
      const resyncs = subs.reduce((a, s) => a + s.state.resyncs, 0);
      const lat = subs.flatMap((s) => s.state.latencies);
      const toGw = subs.flatMap((s) => s.state.toGateway);
      const fromGw = subs.flatMap((s) => s.state.fromGateway);
      runs.push({
        changesSent: d.sent.length, changesFailed: d.failed, changesSkipped: d.skipped, achievedRate: d.achievedRate,
        expected, delivered, coalesced, dropped, resyncs, deliveredRatio: expected ? delivered / expected : NaN,
        p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), maxMs: percentile(lat, 100),
        toGatewayP50Ms: percentile(toGw, 50), toGatewayP99Ms: percentile(toGw, 99),
        fromGatewayP50Ms: percentile(fromGw, 50), fromGatewayP99Ms: percentile(fromGw, 99),
        gatewayCpuPct: ((cpu1.cpuUserMicros + cpu1.cpuSystemMicros - cpu0.cpuUserMicros - cpu0.cpuSystemMicros) / wallMicros) * 100,
        gatewayRss: cpu1.vmRss ?? cpu1.rss,
        // The bench process holds every client socket and drives the writes: on 2 shared cores its own
        // load is part of what the delivery latency shows.
        clientCpuPct: ((self1.user + self1.system) / wallMicros) * 100,
        simulatorCpuPct: simCpu0 && simCpu1
          ? ((simCpu1.cpuUserMicros + simCpu1.cpuSystemMicros - simCpu0.cpuUserMicros - simCpu0.cpuSystemMicros) / wallMicros) * 100 : NaN,
      });
      ctx.log(`  ${c.name} run ${r + 1}: ${d.sent.length} changes at ${d.achievedRate.toFixed(0)}/s, delivered ${delivered}/${expected}, p50 ${runs.at(-1).p50Ms?.toFixed(1)} ms, p99 ${runs.at(-1).p99Ms?.toFixed(1)} ms (to gateway p99 ${runs.at(-1).toGatewayP99Ms?.toFixed(0)} ms, gateway to client p99 ${runs.at(-1).fromGatewayP99Ms?.toFixed(0)} ms), gateway CPU ${runs.at(-1).gatewayCpuPct.toFixed(0)}%, simulator ${runs.at(-1).simulatorCpuPct.toFixed(0)}%, bench clients ${runs.at(-1).clientCpuPct.toFixed(0)}%`);
    }
    const pick = (k) => summarize(runs.map((x) => x[k]));
    return {
      subscribers: c.subscribers, namespaces: c.namespaces, targetRate: c.rate, secondsPerRun: c.seconds,
      subscribersSilentAfterWarmup: silent,
      expectedPerRun: runs[0]?.expected,
      p50Ms: pick('p50Ms'), p99Ms: pick('p99Ms'), maxMs: pick('maxMs'), deliveredRatio: pick('deliveredRatio'),
      toGatewayP99Ms: pick('toGatewayP99Ms'), fromGatewayP99Ms: pick('fromGatewayP99Ms'),
      toGatewayP50Ms: pick('toGatewayP50Ms'), fromGatewayP50Ms: pick('fromGatewayP50Ms'),
      achievedRate: pick('achievedRate'), gatewayCpuPct: pick('gatewayCpuPct'), simulatorCpuPct: pick('simulatorCpuPct'), clientCpuPct: pick('clientCpuPct'),
      runs,
    };
  } finally {
    await Promise.all(subs.map((s) => s.close().catch(() => {})));
  }
}

/**
 * @param {object} ctx
 * @param {import('../simulatorClient.mjs').SimConnection} ctx.sim
 * @param {{ url: string, wsUrl: string, child: any }} ctx.gw
 * @param {any} [ctx.simChild]  the simulator process, for its CPU over the same windows
 * @param {boolean} ctx.quick
 * @param {(msg: string) => void} ctx.log
 * @param {{ admin: string, group: string, users: Array<{ name: string, token: string }> }} [ctx.identities]  when given, the
 *   gateway authenticates callers (`--auth token`) and authorizes each by RBAC: subscriber i is user
 *   i mod users.length. In the filtered case each user may read only the namespaces bound to it by a
 *   RoleBinding (namespace j belongs to user j mod users.length); in the broadcast case a ClusterRoleBinding
 *   of their group lets every user read every pod, so the expected deliveries are those of the anonymous
 *   run, and what is measured is the cost of distinct users (one shared payload per user, not per event).
 */
export async function measureSubscriptions(ctx) {
  const quick = ctx.quick;
  const run = Math.random().toString(36).slice(2, 7);
  const namespaces = quick ? 4 : 100;
  const podsPerNamespace = 5;
  const subscribers = quick ? 20 : 1000;
  ctx.log(`  creating ${namespaces} namespaces × ${podsPerNamespace} pods for subscriptions`);
  const pods = await createBenchPods(ctx.sim, run, namespaces, podsPerNamespace);
  // The gateway must hold them before anything is measured.
  const deadline = Date.now() + 120000;
  for (;;) {
    const r = await queryGateway(ctx.gw.url, `{ pods(first: 1, filter: { labelSelector: "${LABEL}=${run}" }) { totalCount } }`, undefined,
      ctx.identities ? { headers: { authorization: `Bearer ${ctx.identities.admin}` } } : undefined);
    if (r.data.pods.totalCount >= pods.length) break;
    if (Date.now() > deadline) throw new Error(`the gateway shows ${r.data.pods.totalCount} of the ${pods.length} bench pods after 120 s`);
    await sleep(500);
  }
  const nsNames = [...new Set(pods.map((p) => p.namespace))];
  const users = ctx.identities?.users ?? [];
  const bearer = (i) => (users.length ? `Bearer ${users[i % users.length].token}` : undefined);
  if (users.length) {
    ctx.log(`  ${users.length} distinct users: a RoleBinding (view) per namespace`);
    await Promise.all(nsNames.map((ns, j) => {
      const member = pods.find((p) => p.namespace === ns).member;
      return must(simRequest(ctx.sim, 'POST', `${memberPrefix(member)}/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, { body: {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'fgb-view', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: users[j % users.length].name }],
      } }), `rolebinding in ${ns}`);
    }));
  }
  const state = { ...ctx, seq: 1 };
  const filtered = await runCase(state, {
    // Warm-up touches every pod once, hence every namespace.
    name: 'filtered', subscribers, namespaces, pods, rate: quick ? 20 : 500, warmupSeconds: pods.length / (quick ? 20 : 500), seconds: quick ? 2 : 10, repetitions: quick ? 1 : 3,
    varsFor: (i) => ({ namespace: nsNames[i % nsNames.length] }),
    // The owner of subscriber i's namespace.
    authorizationFor: (i) => bearer(i % nsNames.length),
    expectedFor: (ns) => Math.floor(subscribers / nsNames.length) + (nsNames.indexOf(ns) < subscribers % nsNames.length ? 1 : 0),
  });
  if (users.length) {
    ctx.log('  every user may read every pod (a ClusterRoleBinding of their group on each member)');
    await Promise.all(ctx.sim.members.map((member) => must(simRequest(ctx.sim, 'POST', `${memberPrefix(member)}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`, { body: {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'fgb-view-all' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: ctx.identities.group }],
    } }), `clusterrolebinding on ${member}`)));
  }
  const broadcast = await runCase(state, {
    authorizationFor: bearer,
    name: 'broadcast', subscribers, namespaces, pods, rate: quick ? 5 : 20, warmupSeconds: 2, seconds: quick ? 2 : 10, repetitions: quick ? 1 : 3,
    varsFor: () => ({ labelSelector: `${LABEL}=${run}` }),
    expectedFor: () => subscribers,
  });
  return { users: users.length || undefined, filtered, broadcast };
}
