/**
 * Kubernetes quantities ("500m", "2Gi", "1e3") to numbers, and ResourceList building: raw strings and
 * normalised numbers side by side (cores for cpu, bytes for memory), as the schema conventions ask.
 */

/** Decimal exponents of the decimal suffixes (`m` is 10^-3), and factors of the binary ones. */
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_FACTOR: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/**
 * Kubernetes keeps no precision finer than nano-units (its canonical scale), nor do we: beyond this many
 * decimals a quantity is rounded.
 */
const MAX_DECIMALS = 9;

/**
 * A quantity as an exact decimal: `units / 10^decimals` with integer `units`, the decimals being what the
 * raw quantity says (`"500m"` → 500/10^3, `"13.57"` → 1357/10^2, `"1.5Gi"` → 1610612736/10^0). Sums of
 * these are integer sums, so a roll-up of thousands of `"10m"` is exactly what the raw quantities add up to
 * (not `13.569999999999997`).
 */
export interface ExactQuantity {
  units: number;
  decimals: number;
}

/** A quantity as an exact decimal; undefined when it is not one. */
export function exactQuantity(raw: string): ExactQuantity | undefined {
  const m = raw.trim().match(/^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/);
  if (!m || (!m[2] && !m[3])) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const fraction = m[3] ?? '';
  const mantissa = Number(`${m[2] || '0'}${fraction}`);
  let exponent = (m[4] !== undefined ? Number(m[4]) : DECIMAL_EXPONENT[m[5] ?? ''] ?? 0) - fraction.length;
  const factor = m[5] ? BINARY_FACTOR[m[5]] ?? 1 : 1;
  let units = mantissa * factor;
  // Whole multiples of ten move into the exponent, so that "1000m" is 1, not 1000/10^3.
  while (exponent < 0 && units !== 0 && units % 10 === 0) {
    units /= 10;
    exponent++;
  }
  if (exponent >= 0) return { units: sign * units * 10 ** exponent, decimals: 0 };
  let decimals = -exponent;
  if (decimals > MAX_DECIMALS) {
    units = Math.round(units / 10 ** (decimals - MAX_DECIMALS));
    decimals = MAX_DECIMALS;
  }
  return { units: sign * units, decimals };
}

/** The number an exact quantity stands for: the double nearest to the decimal. */
function valueOf(q: ExactQuantity): number {
  return q.decimals === 0 ? q.units : q.units / 10 ** q.decimals;
}

/** The numeric value of a quantity, rounded to what it says; NaN when it is not one. */
export function parseQuantity(raw: string): number {
  const q = exactQuantity(raw);
  return q ? valueOf(q) : Number.NaN;
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

/** A resource map's quantities as exact decimals: `[name, units, decimals]` for each one, in the map's order. */
export type ParsedResources = ReadonlyArray<readonly [string, number, number]>;

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
  const out: Array<readonly [string, number, number]> = [];
  for (const [name, raw] of Object.entries(map ?? {})) {
    const q = exactQuantity(String(raw));
    if (q && Number.isFinite(q.units)) out.push([name, q.units, q.decimals]);
  }
  return out;
}

/**
 * Adds resource maps, keyed by resource name, in integer units at the finest precision the added raw
 * quantities have (milli-cores, nano-cores for metrics, bytes), so the normalised sums are exact.
 */
export class ResourceSum {
  private readonly totals = new Map<string, ExactQuantity>();

  add(map: Record<string, string> | undefined | null): this {
    for (const [name, raw] of Object.entries(map ?? {})) {
      const q = exactQuantity(String(raw));
      if (q && Number.isFinite(q.units)) this.addUnits(name, q.units, q.decimals);
    }
    return this;
  }

  /** The same sum as add() of the map the values were parsed from (see parsedResources). */
  addParsed(values: ParsedResources): this {
    for (const [name, units, decimals] of values) this.addUnits(name, units, decimals);
    return this;
  }

  addSum(other: ResourceSum): this {
    for (const [name, q] of other.totals) this.addUnits(name, q.units, q.decimals);
    return this;
  }

  private addUnits(name: string, units: number, decimals: number): void {
    const total = this.totals.get(name);
    if (!total) {
      this.totals.set(name, { units, decimals });
      return;
    }
    if (decimals > total.decimals) {
      total.units *= 10 ** (decimals - total.decimals);
      total.decimals = decimals;
    } else if (decimals < total.decimals) {
      units *= 10 ** (total.decimals - decimals);
    }
    total.units += units;
    // Beyond 2^53 integers are no longer exact: give up decimals rather than whole units.
    while (!Number.isSafeInteger(total.units) && total.decimals > 0) {
      total.units = Math.round(total.units / 10);
      total.decimals--;
    }
  }

  /** As a ResourceList, raw strings rebuilt from the sums. */
  toList(): ResourceListModel {
    const map: Record<string, string> = {};
    const values = new Map<string, number>();
    for (const [name, q] of this.totals) {
      const v = valueOf(q);
      values.set(name, v);
      map[name] = name === 'cpu' ? formatCpu(v) : name === 'memory' || name.includes('storage') ? formatBytes(v) : String(Math.round(v * 1000) / 1000);
    }
    const list = resourceList(map);
    // Keep the exact sums for the normalised numbers (the raw strings are rounded to millicores).
    for (const q of list.all) q.value = values.get(q.name) ?? q.value;
    if (values.has('cpu')) list.cpuCores = values.get('cpu')!;
    if (values.has('memory')) list.memoryBytes = values.get('memory')!;
    return list;
  }
}
