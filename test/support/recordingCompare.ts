/**
 * The comparison of a simulator answer with a recorded kube-apiserver answer (the "signature" the
 * recordings' READMEs define): status code, Content-Type, Warning header, kind, for a Status its
 * status/reason/code/apiVersion/message/details key sets and causes, else the key sets of the object,
 * its metadata, list items and table rows/columns, and for watch streams the event types. Returns the
 * differences, so a conformance run can count answers alike instead of stopping at the first.
 */
import { keysOf } from './simServer.js';
import type { Recording, SimResponse } from './simServer.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
export const normaliseUids = (s: unknown): string => JSON.stringify(s ?? null).replace(UUID, '<uid>');

export interface LikeOptions {
  /** Metadata keys a missing controller would have added (the control plane runs no Deployment controller). */
  ignoreMetadata?: string[];
  /** Recorded items/rows made by a controller the control plane does not run (or, by design, not served). */
  ignoreNames?: RegExp;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every way `ours` differs from the recording `rec` (empty: answered alike). */
export function answerDifferences(ours: SimResponse, rec: Recording, like: LikeOptions = {}): string[] {
  const out: string[] = [];
  const where = `${rec.method} ${rec.path}`;
  const check = (ok: boolean, what: string, a: unknown, b: unknown): void => {
    if (!ok) out.push(`${where} ${what}: ours ${JSON.stringify(a)?.slice(0, 300)} recorded ${JSON.stringify(b)?.slice(0, 300)}`);
  };
  check(ours.status === rec.status, 'status', `${ours.status} ${ours.text.slice(0, 300)}`, rec.status);
  if (ours.status !== rec.status) return out;
  if (rec.headers['content-type']) check(ours.headers['content-type'] === rec.headers['content-type'], 'content-type', ours.headers['content-type'], rec.headers['content-type']);
  check(ours.headers['warning'] === rec.headers['warning'], 'Warning', ours.headers['warning'], rec.headers['warning']);
  if (rec.events.length > 0) {
    const oursEvents = ours.text.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) as { type?: string }; } catch { return {}; } });
    check(same(oursEvents.map((e) => e.type), rec.events.map((e: any) => e.type)), 'watch event types', oursEvents.map((e) => e.type), rec.events.map((e: any) => e.type));
    return out;
  }
  if (rec.json === undefined) return out;
  check(ours.json?.kind === rec.json.kind, 'kind', ours.json?.kind, rec.json.kind);
  if (rec.json.kind === 'Status') {
    for (const k of ['status', 'reason', 'code', 'apiVersion']) check(same(ours.json?.[k], rec.json[k]), k, ours.json?.[k], rec.json[k]);
    check(normaliseUids(ours.json?.message) === normaliseUids(rec.json.message), 'message', ours.json?.message, rec.json.message);
    check(same(keysOf(ours.json), keysOf(rec.json)), 'keys', keysOf(ours.json), keysOf(rec.json));
    check(same(keysOf(ours.json?.details), keysOf(rec.json.details)), 'details keys', keysOf(ours.json?.details), keysOf(rec.json.details));
    if (rec.json.details?.causes) check(normaliseUids(ours.json?.details?.causes) === normaliseUids(rec.json.details.causes), 'causes', ours.json?.details?.causes, rec.json.details.causes);
    return out;
  }
  check(same(keysOf(ours.json), keysOf(rec.json)), 'keys', keysOf(ours.json), keysOf(rec.json));
  const ignored = new Set(like.ignoreMetadata ?? []);
  const metaKeys = (m: unknown): string[] => keysOf(m).filter((k) => !ignored.has(k));
  if (rec.json.metadata) check(same(metaKeys(ours.json?.metadata), metaKeys(rec.json.metadata)), 'metadata keys', metaKeys(ours.json?.metadata), metaKeys(rec.json.metadata));
  const kept = (name: string): boolean => !like.ignoreNames || !like.ignoreNames.test(name);
  if (Array.isArray(rec.json.items)) {
    const recItems = rec.json.items.filter((i: any) => kept(i.metadata?.name ?? ''));
    const names = (ours.json?.items ?? []).map((i: any) => i.metadata?.name);
    check(same(names, recItems.map((i: any) => i.metadata?.name)), 'items', names, recItems.map((i: any) => i.metadata?.name));
    for (const [i, item] of recItems.entries()) check(same(keysOf(ours.json?.items?.[i]), keysOf(item)), `item ${i} keys`, keysOf(ours.json?.items?.[i]), keysOf(item));
  }
  if (rec.json.kind === 'Table') {
    const defs = (t: any): unknown => (t?.columnDefinitions ?? []).map((c: any) => [c.name, c.type, c.format, c.priority, c.description]);
    check(same(defs(ours.json), defs(rec.json)), 'columns', defs(ours.json), defs(rec.json));
    const recRows = rec.json.rows.filter((r: any) => kept(String(r.cells[0])));
    const rows = (ours.json?.rows ?? []).map((r: any) => r.cells[0]);
    check(same(rows, recRows.map((r: any) => r.cells[0])), 'rows', rows, recRows.map((r: any) => r.cells[0]));
    for (const [i, row] of recRows.entries()) {
      check(same(keysOf(ours.json?.rows?.[i]), keysOf(row)), `row ${i} keys`, keysOf(ours.json?.rows?.[i]), keysOf(row));
      check(ours.json?.rows?.[i]?.object?.kind === row.object?.kind, `row ${i} object`, ours.json?.rows?.[i]?.object?.kind, row.object?.kind);
    }
  }
  return out;
}
