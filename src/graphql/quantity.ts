/**
 * Kubernetes quantities ("500m", "2Gi", "1e3") to numbers, and ResourceList building: raw strings and
 * normalised numbers side by side (cores for cpu, bytes for memory), as the schema conventions ask.
 */

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The numeric value of a quantity; NaN when it is not one. */
export function parseQuantity(raw: string): number {
  const m = raw.trim().match(/^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/);
  if (!m) return Number.NaN;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * (SUFFIX[m[3] ?? '']!);
}

/** Formats a number of cores as Kubernetes would (millicores below a whole core). */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Formats bytes using the largest exact binary suffix. */
export function formatBytes(bytes: number): string {
  const b = Math.round(bytes);
  for (const [suffix, factor] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (b !== 0 && b % factor === 0) return `${b / factor}${suffix}`;
  }
  return String(b);
}

export interface ResourceListModel {
  cpuCores: number | null;
  memoryBytes: number | null;
  pods: number | null;
  cpu: string | null;
  memory: string | null;
  all: Array<{ name: string; raw: string; value: number }>;
}

/** From a Kubernetes resource map (raw strings). */
export function resourceList(map: Record<string, string> | undefined | null): ResourceListModel {
  const all = Object.entries(map ?? {})
    .map(([name, raw]) => ({ name, raw: String(raw), value: parseQuantity(String(raw)) }))
    .filter((q) => Number.isFinite(q.value))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const find = (n: string) => all.find((q) => q.name === n);
  return {
    cpuCores: find('cpu')?.value ?? null,
    memoryBytes: find('memory')?.value ?? null,
    pods: find('pods') ? Math.round(find('pods')!.value) : null,
    cpu: find('cpu')?.raw ?? null,
    memory: find('memory')?.raw ?? null,
    all,
  };
}

/** A resource map's quantities as numbers: `[name, value]` for each finite one, in the map's order. */
export type ParsedResources = ReadonlyArray<readonly [string, number]>;

const NONE: ParsedResources = Object.freeze([]);
const parsedMaps = new WeakMap<object, ParsedResources>();

/**
 * `map` parsed, once per map object: cached resource maps are read-only (an update replaces the
 * projection, and replicas share one frozen map), so a roll-up over thousands of pods and nodes parses
 * each distinct map once instead of on every request. Never pass a map that is modified afterwards.
 */
export function parsedResources(map: Readonly<Record<string, string>> | undefined | null): ParsedResources {
  if (!map) return NONE;
  let parsed = parsedMaps.get(map);
  if (!parsed) parsedMaps.set(map, (parsed = parseResources(map)));
  return parsed;
}

/** `map` parsed, not memoized (for maps built on the fly). */
export function parseResources(map: Readonly<Record<string, string>> | undefined | null): ParsedResources {
  const out: Array<readonly [string, number]> = [];
  for (const [name, raw] of Object.entries(map ?? {})) {
    const v = parseQuantity(String(raw));
    if (Number.isFinite(v)) out.push([name, v]);
  }
  return out;
}

/** Adds resource maps as numbers, keyed by resource name. */
export class ResourceSum {
  private readonly totals = new Map<string, number>();

  add(map: Record<string, string> | undefined | null): this {
    for (const [name, raw] of Object.entries(map ?? {})) {
      const v = parseQuantity(String(raw));
      if (Number.isFinite(v)) this.totals.set(name, (this.totals.get(name) ?? 0) + v);
    }
    return this;
  }

  /** The same sum as add() of the map the values were parsed from (see parsedResources). */
  addParsed(values: ParsedResources): this {
    for (const [name, v] of values) this.totals.set(name, (this.totals.get(name) ?? 0) + v);
    return this;
  }

  addSum(other: ResourceSum): this {
    for (const [name, v] of other.totals) this.totals.set(name, (this.totals.get(name) ?? 0) + v);
    return this;
  }

  /** As a ResourceList, raw strings rebuilt from the sums. */
  toList(): ResourceListModel {
    const map: Record<string, string> = {};
    for (const [name, v] of this.totals) {
      map[name] = name === 'cpu' ? formatCpu(v) : name === 'memory' || name.includes('storage') ? formatBytes(v) : String(Math.round(v * 1000) / 1000);
    }
    const list = resourceList(map);
    // Keep exact sums for the normalised numbers (the raw strings are rounded to millicores).
    for (const q of list.all) q.value = this.totals.get(q.name) ?? q.value;
    if (this.totals.has('cpu')) list.cpuCores = this.totals.get('cpu')!;
    if (this.totals.has('memory')) list.memoryBytes = this.totals.get('memory')!;
    return list;
  }
}
