/**
 * An OpenID Connect issuer of the project's own for tests: node:https on 127.0.0.1, port 0, with a CA and
 * serving certificate from the simulator's PKI helper (src/sim/tls.ts), serving the discovery document
 * and a JWKS whose keys the test rotates, and signing tokens with jose's SignJWT. Counts its requests.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWK, JWTPayload, CryptoKey } from 'jose';
import { makeCertificates } from '../../src/sim/tls.js';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface TestIssuer {
  /** `https://127.0.0.1:<port>` — the issuer URL and `iss`. */
  issuer: string;
  caCertPem: string;
  /** Requests served, per path. */
  hits: Map<string, number>;
  /** Keys the JWKS serves now (mutable: rotation). */
  served: SigningKey[];
  /** Overrides of the discovery document (e.g. another `issuer`). */
  discoveryOverride: Record<string, unknown>;
  /** While true every request is answered 503 (an outage behind a load balancer). */
  failing: boolean;
  newKey(kid: string): Promise<SigningKey>;
  /** A token signed with `key` (default: the first served key); claims default to a valid one for `aud`. */
  sign(claims: JWTPayload, key?: SigningKey, header?: { kid?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const certs = makeCertificates();
  const hits = new Map<string, number>();
  const state = { issuer: '', served: [] as SigningKey[], discoveryOverride: {} as Record<string, unknown>, failing: false };
  const server = https.createServer({ cert: certs.serverCertPem, key: certs.serverKeyPem }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (state.failing) {
      res.writeHead(503).end();
    } else if (path === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ issuer: state.issuer, jwks_uri: `${state.issuer}/keys`, id_token_signing_alg_values_supported: ['RS256'], ...state.discoveryOverride }));
    } else if (path === '/keys') {
      res.writeHead(200, { 'Content-Type': 'application/jwk-set+json' });
      res.end(JSON.stringify({ keys: state.served.map((k) => k.publicJwk) }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const newKey = async (kid: string): Promise<SigningKey> => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  };
  const issuer: TestIssuer = {
    get issuer() {
      return state.issuer;
    },
    caCertPem: certs.caCertPem,
    hits,
    get served() {
      return state.served;
    },
    set served(v) {
      state.served = v;
    },
    get discoveryOverride() {
      return state.discoveryOverride;
    },
    set discoveryOverride(v) {
      state.discoveryOverride = v;
    },
    get failing() {
      return state.failing;
    },
    set failing(v) {
      state.failing = v;
    },
    newKey,
    async sign(claims, key = state.served[0], header = {}) {
      if (!key) throw new Error('no signing key');
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: state.issuer, iat: now, exp: now + 600, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: header.kid ?? key.kid, typ: 'JWT' })
        .sign(key.privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return issuer;
}
