/**
 * The SHA-256 of a token: the only form in which the gateway keeps or indexes a caller's token (caches,
 * the static token index), so that a heap dump or a log of cache keys never holds a usable credential.
 */
import { createHash } from 'node:crypto';

export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The digest as a map key. */
export function tokenKey(token: string): string {
  return tokenDigest(token).toString('base64url');
}
