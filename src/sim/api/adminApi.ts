/**
 * The simulator's own admin API under `/_sim/` (admin token only): request statistics, the eviction log,
 * the per-member fault switches tests flip at run time, the load factor of a member's usage
 * (`/_sim/usage/<member>`), the usage of every reachable member for Prometheus (`/_sim/prometheus`) and the
 * CronJob clock step (`POST /_sim/cron/<member>/advance {"seconds": n}`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../cluster/ApiError.js';
import type { ClosableSimFleet } from '../fleet.js';
import type { EvictionLog } from './evictionLog.js';
import type { RequestStats } from './requestStats.js';
import { setUsageFactor, usageFactors } from './metricsApi.js';
import { prometheusExposition } from './prometheusExposition.js';
import { sendJson } from './respond.js';
import { cronClockOf } from '../controllers/cronClock.js';

export async function handleAdminRequest(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  fleet: ClosableSimFleet,
  stats: RequestStats,
  readBody: () => Promise<Buffer>,
  evictions: EvictionLog,
): Promise<void> {
  const method = req.method ?? 'GET';
  const segs = pathname.split('/').filter(Boolean).slice(1); // after "_sim"
  if (segs[0] === 'stats' && segs.length === 1 && method === 'GET') return sendJson(res, 200, stats.snapshot());
  if (segs[0] === 'stats' && segs[1] === 'reset' && method === 'POST') {
    stats.reset();
    return sendJson(res, 200, { ok: true });
  }
  // Open watch streams per cluster (a member's through the Karmada proxy under its name, its own endpoint's as `<name>@own`).
  if (segs[0] === 'watches' && segs.length === 1 && method === 'GET') return sendJson(res, 200, { watches: fleet.faults.openWatches() });
  if (segs[0] === 'requests' && method === 'GET') return sendJson(res, 200, { requests: stats.recent() });
  if (segs[0] === 'evictions' && segs.length === 1 && method === 'GET') return sendJson(res, 200, { evictions: evictions.list() });
  if (segs[0] === 'evictions' && segs[1] === 'reset' && segs.length === 2 && method === 'POST') {
    evictions.reset();
    return sendJson(res, 200, { ok: true });
  }
  if (segs[0] === 'prometheus' && segs.length === 1 && method === 'GET') {
    const reachable = [...fleet.members].filter(([name]) => {
      const f = fleet.faults.get(name);
      return !f.unreachable && !f.unavailable503;
    });
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(prometheusExposition(reachable));
    return;
  }
  if (segs[0] === 'usage' && segs[1] && segs.length === 2) {
    const member = decodeURIComponent(segs[1]);
    const cluster = fleet.members.get(member);
    if (!cluster) throw ApiError.notFound({ group: 'cluster.karmada.io', resource: 'clusters' }, member);
    if (method === 'GET') return sendJson(res, 200, usageFactors(cluster));
    if (method === 'POST') {
      let body: { factor?: unknown; node?: unknown };
      try {
        body = JSON.parse((await readBody()).toString('utf8') || '{}') as typeof body;
      } catch {
        throw ApiError.badRequest('usage body must be JSON: {factor, node?}');
      }
      if (typeof body.factor !== 'number' || !Number.isFinite(body.factor) || body.factor < 0) throw ApiError.badRequest('factor must be a non-negative number');
      if (body.node !== undefined && typeof body.node !== 'string') throw ApiError.badRequest('node must be a node name');
      setUsageFactor(cluster, body.factor, body.node);
      return sendJson(res, 200, usageFactors(cluster));
    }
  }
  if (segs[0] === 'cron' && segs[1] && segs[2] === 'advance' && segs.length === 3 && method === 'POST') {
    // The member's CronJob controller acts as if its clock had moved this many seconds (tests of schedules).
    const member = fleet.members.get(decodeURIComponent(segs[1]));
    if (!member) throw ApiError.notFound({ group: 'cluster.karmada.io', resource: 'clusters' }, decodeURIComponent(segs[1]));
    const raw = (await readBody()).toString('utf8');
    let seconds: unknown;
    try {
      seconds = raw.trim() ? (JSON.parse(raw) as { seconds?: unknown }).seconds : undefined;
    } catch {
      seconds = undefined;
    }
    if (typeof seconds !== 'number' || !(seconds > 0) || seconds > 366 * 86_400) throw ApiError.badRequest('body must be JSON {"seconds": <1..31622400>}');
    const controllers = cronClockOf(member).advance(seconds);
    return sendJson(res, 200, { ok: true, member: member.name, seconds, controllers });
  }
  if (segs[0] === 'faults' && segs[1]) {
    const member = decodeURIComponent(segs[1]);
    if (!fleet.members.has(member)) throw ApiError.notFound({ group: 'cluster.karmada.io', resource: 'clusters' }, member);
    if (segs.length === 2 && method === 'GET') return sendJson(res, 200, fleet.faults.get(member));
    if (segs.length === 2 && method === 'POST') {
      const raw = (await readBody()).toString('utf8');
      let body: Record<string, unknown>;
      try {
        body = raw.trim() ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        throw ApiError.badRequest('fault body must be JSON: {latencyMs?, unreachable?, unavailable503?, hangLists?}');
      }
      const allowed = new Set(['latencyMs', 'unreachable', 'unavailable503', 'hangLists']);
      const unknown = Object.keys(body).filter((k) => !allowed.has(k));
      if (unknown.length) throw ApiError.badRequest(`unknown fault field(s): ${unknown.join(', ')}`);
      fleet.faults.set(member, body);
      return sendJson(res, 200, fleet.faults.get(member));
    }
    if (segs[2] === 'drop-watches' && method === 'POST') {
      fleet.faults.dropWatches(member);
      return sendJson(res, 200, { ok: true });
    }
    if (segs[2] === 'compact' && method === 'POST') {
      fleet.faults.compact(member);
      return sendJson(res, 200, { ok: true, resourceVersion: fleet.members.get(member)!.store.currentResourceVersion() });
    }
  }
  throw ApiError.notFoundPath();
}
