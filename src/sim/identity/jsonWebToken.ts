/**
 * Compact JWS with RS256 (RSASSA-PKCS1-v1_5 over SHA-256), the only form kube-apiserver signs
 * service account tokens in. node:crypto does the RSA; this file only frames it: base64url header and
 * claims, the signing input, and a decoder that refuses anything but a well-formed three-part token.
 */
import { createHash, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface JwtHeader {
  alg: string;
  kid?: string;
  [key: string]: unknown;
}

export interface DecodedJwt {
  header: JwtHeader;
  claims: Record<string, unknown>;
  /** `base64url(header).base64url(claims)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Signs `claims` as a compact RS256 JWS with header `{alg, kid}` (the header kube-apiserver writes). */
export function signRs256(claims: Record<string, unknown>, privateKey: KeyObject, kid: string): string {
  const signingInput = `${base64url(JSON.stringify({ alg: 'RS256', kid }))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${base64url(signature)}`;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Splits and decodes a compact JWS without checking its signature; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p)) || !parts[0] || !parts[1]) return undefined;
  const header = parseSegment(parts[0]);
  const claims = parseSegment(parts[1]);
  if (!header || !claims || typeof header['alg'] !== 'string') return undefined;
  return { header: header as JwtHeader, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2]!, 'base64url') };
}

/** Whether a decoded token is RS256 and its signature verifies with `publicKey`. */
export function verifyRs256(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  if (jwt.header.alg !== 'RS256') return false;
  return verify('sha256', Buffer.from(jwt.signingInput), publicKey, jwt.signature);
}

/**
 * The key id kube-apiserver gives a public key: base64url (unpadded) of the SHA-256 of its PKIX DER
 * encoding, so the same key always gets the same `kid` in tokens and in the JWKS.
 */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}
