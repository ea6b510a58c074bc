/**
 * Label and field selectors with the grammar and error messages of k8s.io/apimachinery (as recorded:
 * "unable to parse requirement: found '=', expected: identifier", "field label not supported: spec.foo").
 */
import { ApiError } from './ApiError.js';
import type { KubeObject } from '../store/Store.js';

export type LabelOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!exists';

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

export type LabelSelector = LabelRequirement[];

type Token = { kind: 'id' | 'op' | 'comma' | 'lparen' | 'rparen' | 'not' | 'end'; text: string };

/** Splits a selector the way apimachinery's lexer does: identifiers, operators, commas, parentheses. */
function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === ',') {
      tokens.push({ kind: 'comma', text: ',' });
      i++;
    } else if (c === '(') {
      tokens.push({ kind: 'lparen', text: '(' });
      i++;
    } else if (c === ')') {
      tokens.push({ kind: 'rparen', text: ')' });
      i++;
    } else if (c === '!' && input[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if (c === '!') {
      tokens.push({ kind: 'not', text: '!' });
      i++;
    } else if (c === '=' && input[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '==' });
      i += 2;
    } else if (c === '=') {
      tokens.push({ kind: 'op', text: '=' });
      i++;
    } else {
      let j = i;
      while (j < input.length && !' \t,()!='.includes(input[j]!)) j++;
      const text = input.slice(i, j);
      tokens.push({ kind: 'id', text });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function describe(t: Token): string {
  return t.kind === 'end' ? 'EOS' : t.text;
}

/** Parses a label selector; throws ApiError 400 with apimachinery's wording. */
export function parseLabelSelector(input: string | undefined): LabelSelector {
  if (!input || !input.trim()) return [];
  const tokens = lex(input);
  let pos = 0;
  const fail = (message: string): never => {
    throw ApiError.badRequest(`unable to parse requirement: ${message}`);
  };
  const reqs: LabelRequirement[] = [];
  for (;;) {
    let t = tokens[pos++]!;
    if (t.kind === 'not') {
      const key = tokens[pos++]!;
      if (key.kind !== 'id') fail(`found '${describe(key)}', expected: identifier`);
      reqs.push({ key: key.text, op: '!exists', values: [] });
    } else if (t.kind === 'id') {
      const key = t.text;
      t = tokens[pos]!;
      if (t.kind === 'comma' || t.kind === 'end') {
        reqs.push({ key, op: 'exists', values: [] });
      } else if (t.kind === 'op') {
        pos++;
        const value = tokens[pos]!;
        let v = '';
        if (value.kind === 'id') {
          v = value.text;
          pos++;
        } else if (value.kind !== 'comma' && value.kind !== 'end') {
          fail(`found '${describe(value)}', expected: identifier`);
        }
        reqs.push({ key, op: t.text === '!=' ? '!=' : '=', values: [v] });
      } else if (t.kind === 'id' && (t.text === 'in' || t.text === 'notin')) {
        pos++;
        if (tokens[pos]!.kind !== 'lparen') fail(`found '${describe(tokens[pos]!)}', expected: '('`);
        pos++;
        const values: string[] = [];
        for (;;) {
          const v = tokens[pos]!;
          if (v.kind === 'id') {
            values.push(v.text);
            pos++;
          } else if (v.kind === 'rparen' || v.kind === 'comma') {
            values.push('');
          } else {
            fail(`found '${describe(v)}', expected: ',', ')' or identifier`);
          }
          const sep = tokens[pos++]!;
          if (sep.kind === 'rparen') break;
          if (sep.kind !== 'comma') fail(`found '${describe(sep)}', expected: ',' or ')'`);
        }
        reqs.push({ key, op: t.text as 'in' | 'notin', values });
      } else {
        fail(`found '${describe(t)}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    } else {
      fail(`found '${describe(t)}', expected: !, identifier, or 'end of string'`);
    }
    const sep = tokens[pos++]!;
    if (sep.kind === 'end') break;
    if (sep.kind !== 'comma') fail(`found '${describe(sep)}', expected: ',' or 'end of string'`);
  }
  return reqs;
}

export function matchLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  for (const r of selector) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels![r.key]! : undefined;
    switch (r.op) {
      case '=':
        if (value !== r.values[0]) return false;
        break;
      case '!=':
        if (value === r.values[0]) return false;
        break;
      case 'in':
        if (value === undefined || !r.values.includes(value)) return false;
        break;
      case 'notin':
        if (value !== undefined && r.values.includes(value)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!exists':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** A `matchLabels` + `matchExpressions` LabelSelector object (Deployments, PDBs) as requirements. */
export function labelSelectorFromObject(sel: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined): LabelSelector {
  const reqs: LabelRequirement[] = [];
  for (const [key, v] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, op: '=', values: [v] });
  for (const e of sel?.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' } as const)[e.operator as 'In'];
    if (op) reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

/** `a=b,c!=d` text of a matchLabels map (what the scale subresource's status.selector holds). */
export function formatLabelSelector(sel: LabelSelector): string {
  return sel
    .map((r) => {
      switch (r.op) {
        case '=':
          return `${r.key}=${r.values[0]}`;
        case '!=':
          return `${r.key}!=${r.values[0]}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.op} (${r.values.join(',')})`;
        case 'exists':
          return r.key;
        case '!exists':
          return `!${r.key}`;
      }
    })
    .join(',');
}

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

/** Parses `a=b,c!=d` (also `==`); escaping with backslash as apimachinery allows. */
export function parseFieldSelector(input: string | undefined, supported: (field: string) => boolean): FieldRequirement[] {
  if (!input || !input.trim()) return [];
  const reqs: FieldRequirement[] = [];
  for (const part of splitUnescaped(input)) {
    if (!part) continue;
    let m = /^(.*?)(!=|==|=)(.*)$/s.exec(part);
    if (!m) throw ApiError.badRequest(`invalid selector: '${input}'; can't understand '${part}'`);
    const field = m[1]!.trim();
    const op = m[2] === '!=' ? '!=' : '=';
    const value = m[3]!.replace(/\\(.)/g, '$1');
    if (!supported(field)) throw ApiError.badRequest(`field label not supported: ${field}`);
    reqs.push({ field, op, value });
    m = null;
  }
  return reqs;
}

function splitUnescaped(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

export function matchFields(reqs: FieldRequirement[], object: KubeObject, getter: (object: KubeObject, field: string) => string | undefined): boolean {
  for (const r of reqs) {
    const v = getter(object, r.field) ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
