/**
 * One JSON encoding per stored object version, shared by every watcher of it and by the write's own
 * answer. A change is delivered to each watch stream of its resource (every gateway replica, kubectl,
 * the informers of a test) within the same tick as the write, then the writer gets the same object as
 * its response body: without this, the object is serialised once per watcher plus once for the answer.
 *
 * Only objects that went through a watch event are remembered: those are stored versions, which are
 * never mutated (src/sim/cluster/SimCluster.ts), so their encoding cannot go stale. The memory is a few
 * recent versions, not a table: the watchers of one change ask one after the other, in one tick.
 */
import type { KubeObject } from '../store/Store.js';

interface Encoded {
  object: KubeObject;
  json: string;
  /** `{"type":...,"object":...}\n` per event type (a filtered watch may send a MODIFIED as ADDED). */
  lines: Map<string, Buffer>;
}

/** Versions remembered: a write whose listeners write again (controllers) still finds its own. */
const SLOTS = 4;
const recent: Encoded[] = [];

function encodedOf(object: KubeObject): Encoded {
  for (const e of recent) if (e.object === object) return e;
  const e: Encoded = { object, json: JSON.stringify(object), lines: new Map() };
  if (recent.length >= SLOTS) recent.pop();
  recent.unshift(e);
  return e;
}

/**
 * The bytes of one watch event line for a stored object, encoded once for all watchers: the same text
 * `JSON.stringify({ type, object }) + "\n"` gives.
 */
export function watchEventLine(type: string, object: KubeObject): Buffer {
  const e = encodedOf(object);
  let line = e.lines.get(type);
  if (!line) {
    line = Buffer.from(`{"type":${JSON.stringify(type)},"object":${e.json}}\n`);
    e.lines.set(type, line);
  }
  return line;
}

/** The JSON text of an object a watch event has just encoded, or undefined (encode it yourself). */
export function knownJson(object: unknown): string | undefined {
  for (const e of recent) if (e.object === object) return e.json;
  return undefined;
}
