/**
 * List pagination tokens in kube-apiserver's format: unpadded base64url of
 * `{"v":"meta.k8s.io/v1","rv":<rv>,"start":"<key>\u0000"}`, where the key is `name` in a namespaced
 * list and `namespace/name` across namespaces (recorded).
 */
import { ApiError } from '../cluster/ApiError.js';

export interface ContinuePosition {
  rv: number;
  /** Items whose key is >= start come next. */
  start: string;
}

export function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` })).toString('base64url');
}

const B64URL = /^[A-Za-z0-9_-]*$/;

export function decodeContinue(token: string): ContinuePosition {
  const bad = (why: string): never => {
    throw ApiError.badRequest(`invalid continue token: continue key is not valid: ${why}`);
  };
  // Go's base64.RawURLEncoding reports the offset of the first byte it cannot decode.
  if (!B64URL.test(token)) {
    const at = [...token].findIndex((c) => !/[A-Za-z0-9_-]/.test(c));
    bad(`illegal base64 data at input byte ${at}`);
  }
  if (token.length % 4 === 1) bad(`illegal base64 data at input byte ${token.length - 1}`);
  let parsed: { v?: string; rv?: number; start?: string };
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    return bad('invalid character looking for beginning of value');
  }
  if (parsed.v !== 'meta.k8s.io/v1') bad(`unsupported encoding version: ${String(parsed.v)}`);
  if (typeof parsed.start !== 'string' || typeof parsed.rv !== 'number') bad('continue key is not valid');
  return { rv: parsed.rv!, start: parsed.start! };
}
