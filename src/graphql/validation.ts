/**
 * Input validation done BEFORE any upstream call: names, label selectors, paging arguments. Errors are
 * BAD_USER_INPUT with `extensions.field` set to the argument path and a message saying what is wrong,
 * so a client never waits on (or pays for) a fan-out that was going to be rejected anyway.
 */
import { badUserInput } from './errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Label keys' name part and label values (qualified name, Kubernetes validation.go). */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A namespace or cluster name: a DNS-1123 label (63 characters at most). */
export function checkLabelName(value: string | null | undefined, field: string): void {
  if (value === null || value === undefined) return;
  if (value.length === 0 || value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw badUserInput(
      `${field}: "${truncate(value)}" is not a valid name (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
      field,
    );
  }
}

/**
 * An object name (node, pod, workload, ...): a DNS-1123 subdomain. Node names may carry upper case on
 * some providers? No: the API server rejects them, so we do too.
 */
export function checkObjectName(value: string | null | undefined, field: string): void {
  if (value === null || value === undefined) return;
  if (value.length === 0 || value.length > 253 || !DNS1123_SUBDOMAIN.test(value)) {
    throw badUserInput(
      `${field}: "${truncate(value)}" is not a valid object name (lowercase letters, digits, '-' and '.', at most 253 characters)`,
      field,
    );
  }
}

function checkLabelKey(key: string, field: string, selector: string): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const bad = (why: string): never => {
    throw badUserInput(`${field}: invalid label selector "${truncate(selector)}": ${why}`, field);
  };
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    bad(`key prefix "${prefix}" must be a DNS subdomain`);
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) bad(`"${key}" is not a valid label key`);
}

function checkLabelValue(value: string, field: string, selector: string): void {
  if (value === '') return;
  if (value.length > 63 || !QUALIFIED_NAME.test(value)) {
    throw badUserInput(`${field}: invalid label selector "${truncate(selector)}": "${value}" is not a valid label value`, field);
  }
}

/**
 * A label selector in Kubernetes syntax: comma-separated `key`, `!key`, `key=v`, `key==v`, `key!=v`,
 * `key in (a,b)`, `key notin (a,b)`. Syntax only: whether anything matches is the server's business.
 */
export function checkLabelSelector(selector: string | null | undefined, field: string): void {
  if (selector === null || selector === undefined) return;
  const text = selector.trim();
  if (text === '') return;
  const fail = (why: string): never => {
    throw badUserInput(`${field}: invalid label selector "${truncate(selector)}": ${why}`, field);
  };
  // Split on commas that are not inside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth < 0 || depth > 1) fail('unbalanced parentheses');
    if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) fail('unbalanced parentheses');
  parts.push(text.slice(start));
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') fail('empty requirement');
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^!\s*([^\s=!(),]+)$/))) {
      checkLabelKey(m[1]!, field, selector);
    } else if ((m = part.match(/^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/))) {
      checkLabelKey(m[1]!, field, selector);
      const values = m[3]!.split(',').map((v) => v.trim());
      if (m[2] === 'in' && values.length === 1 && values[0] === '') fail(`"${m[1]}" in () needs at least one value`);
      for (const v of values) checkLabelValue(v, field, selector);
    } else if ((m = part.match(/^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/))) {
      checkLabelKey(m[1]!, field, selector);
      checkLabelValue(m[3]!, field, selector);
    } else if ((m = part.match(/^([^\s=!(),]+)$/))) {
      checkLabelKey(m[1]!, field, selector);
    } else {
      fail(`cannot parse "${truncate(part)}"`);
    }
  }
}

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 5000;
/** Page size when `first` is not given. */
export const DEFAULT_PAGE_SIZE = 100;

/** `first`: 0..MAX_PAGE_SIZE, default DEFAULT_PAGE_SIZE. */
export function checkFirst(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput(`${field} must be between 0 and ${MAX_PAGE_SIZE} (got ${first})`, field);
  }
  return first;
}

/** A non-negative integer argument such as `tailLines`. */
export function checkNonNegative(value: number | null | undefined, field: string, max = Number.MAX_SAFE_INTEGER): void {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw badUserInput(`${field} must be an integer between 0 and ${max} (got ${value})`, field);
  }
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
