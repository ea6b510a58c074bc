/**
 * The simulator's own admin API under `/_sim/` (admin token only): request statistics, the eviction log
 * and the per-member fault switches tests flip at run time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../cluster/ApiError.js';
import type { ClosableSimFleet } from '../fleet.js';
import type { EvictionLog } from './evictionLog.js';
import type { RequestStats } from './requestStats.js';
import { sendJson } from './respond.js';

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
