/**
 * Kubernetes label selector syntax (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, joined by
 * commas): parsed once, validated with a message saying what is wrong (for BAD_USER_INPUT before any
 * upstream call), and matched against labels in the cache.
 */
export type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export class LabelSelectorError extends Error {
  constructor(selector: string, detail: string) {
    super(`invalid label selector "${selector}": ${detail}`);
    this.name = 'LabelSelectorError';
  }
}

// Qualified names as Kubernetes validates them: optional DNS prefix, then a 63-char name.
const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim());
}

export function parseLabelSelector(selector: string): Requirement[] {
  const text = selector.trim();
  if (text === '') return [];
  const checkKey = (key: string) => {
    if (!KEY_RE.test(key)) throw new LabelSelectorError(selector, `"${key}" is not a valid label key`);
  };
  const checkValue = (value: string) => {
    if (!VALUE_RE.test(value)) throw new LabelSelectorError(selector, `"${value}" is not a valid label value`);
  };
  return splitTerms(text).map((term): Requirement => {
    if (term === '') throw new LabelSelectorError(selector, 'empty requirement');
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(term);
    if (set) {
      const [, key, op, inner] = set;
      checkKey(key!);
      const values = inner!.split(',').map((v) => v.trim());
      if (values.length === 0 || (values.length === 1 && values[0] === '' && op === 'in')) {
        throw new LabelSelectorError(selector, `"${term}" needs at least one value`);
      }
      values.forEach(checkValue);
      return { key: key!, op: op as 'in' | 'notin', values };
    }
    const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (cmp) {
      const [, key, op, value] = cmp;
      checkKey(key!);
      checkValue(value!.trim());
      return { key: key!, op: op === '!=' ? 'neq' : 'eq', value: value!.trim() };
    }
    if (term.startsWith('!')) {
      const key = term.slice(1).trim();
      checkKey(key);
      return { key, op: 'notexists' };
    }
    if (/\s/.test(term) || /[()=!]/.test(term)) throw new LabelSelectorError(selector, `cannot parse "${term}"`);
    checkKey(term);
    return { key: term, op: 'exists' };
  });
}

export function matchesLabels(requirements: readonly Requirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of requirements) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        if (!has || v !== r.value) return false;
        break;
      case 'neq':
        if (has && v === r.value) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
    }
  }
  return true;
}
