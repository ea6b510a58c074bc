import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './loadConfig.js';
import { ConfigError } from './ConfigError.js';
import { parseDuration } from './duration.js';

const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-config-'));
const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
const tokens = join(dir, 'tokens.yaml');
writeFileSync(tokens, '- token: abc\n  user: alice\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const r = loadConfig(argv, env);
  if (r.kind !== 'config') throw new Error('expected config');
  return r.config;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no error thrown');
}

describe('loadConfig', () => {
  it('--audit-db: a file is made absolute, :memory: and a PostgreSQL URL are kept as given, a bad schema refused', () => {
    expect(load(['--audit-db', 'data/audit.db']).audit.path).toBe(join(process.cwd(), 'data/audit.db'));
    expect(load(['--audit-db', ':memory:']).audit.path).toBe(':memory:');
    const url = 'postgres://fg:pw@db.example:5432/fleet?schema=fleet_a';
    expect(load(['--audit-db', url]).audit.path).toBe(url);
    expect(load([], { FLEETGRAPH_AUDIT_DB: 'postgresql://db/fleet' }).audit.path).toBe('postgresql://db/fleet');
    const e = errorOf(() => load(['--audit-db', 'postgres://fg:pw@db/fleet?schema=Fleet-A']));
    expect(e.message).toContain('--audit-db');
    expect(e.message).toContain('schema "Fleet-A"');
    expect(e.message).not.toContain(':pw@');
  });

  it('has the defaults of the issue and seed 000', () => {
    const c = load([]);
    expect(c.port).toBe(4000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.auth).toBe('none');
    expect(c.kubeconfig).toBeUndefined();
    expect(c.callTimeoutMs).toBe(30_000);
    expect(c.logsTimeoutMs).toBe(120_000);
    expect(c.ttl).toMatchObject({ clusters: 300_000, nodes: 180_000, policies: 600_000, bindings: 120_000 });
    expect(c.redisUrl).toBeUndefined();
  });

  it('takes flags over env over defaults', () => {
    expect(load([], { PORT: '5000', HOST: '0.0.0.0', FLEETGRAPH_ALLOW_ANONYMOUS: 'true' })).toMatchObject({ port: 5000, host: '0.0.0.0' });
    expect(load(['--port', '6000', '--host=127.0.0.2'], { PORT: '5000' })).toMatchObject({ port: 6000, host: '127.0.0.2' });
    expect(load([], { REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('takes the fleet id and the Redis prefix (flag or env), and refuses a fleet id unfit for a Redis key', () => {
    expect(load(['--fleet-id', 'prod-eu.1', '--redis-prefix', 'fg:'])).toMatchObject({ fleetId: 'prod-eu.1', redisPrefix: 'fg:' });
    expect(load([], { FLEETGRAPH_FLEET_ID: 'staging', FLEETGRAPH_REDIS_PREFIX: 'x:' })).toMatchObject({ fleetId: 'staging', redisPrefix: 'x:' });
    expect(load([]).fleetId).toBeUndefined();
    expect(errorOf(() => load(['--fleet-id', 'a b'])).message).toMatch(/--fleet-id: "a b" is not a fleet id/);
    expect(errorOf(() => load(['--fleet-id', 'x:y'])).source).toBe('--fleet-id');
  });

  it('reads the query cost limit from --max-query-cost or FLEETGRAPH_MAX_QUERY_COST, and refuses a bad one', () => {
    expect(load([]).maxQueryCost).toBeUndefined();
    expect(load(['--max-query-cost', '1000']).maxQueryCost).toBe(1000);
    expect(load([], { FLEETGRAPH_MAX_QUERY_COST: '2000' }).maxQueryCost).toBe(2000);
    expect(errorOf(() => load(['--max-query-cost', '-3'])).message).toContain('--max-query-cost');
  });

  it('reads repeated --member, --mode and --ttl', () => {
    const c = load([
      '--kubeconfig', kubeconfig, '--context', 'karmada', '--member', 'm1=ctx-m1', '--member=m2=ctx-m2',
      '--mode', 'pods=fetch', '--mode', 'nodes=watch', '--ttl', 'nodes=90s', '--timeout', '5s', '--logs-timeout', '2m',
    ]);
    expect(c.kubeconfig).toBe(kubeconfig);
    expect(c.context).toBe('karmada');
    expect(c.memberContexts).toEqual({ m1: 'ctx-m1', m2: 'ctx-m2' });
    expect(c.modes).toEqual({ pods: 'fetch', nodes: 'watch' });
    expect(c.ttl.nodes).toBe(90_000);
    expect(c.ttl.clusters).toBe(300_000);
    expect(c.callTimeoutMs).toBe(5000);
    expect(c.logsTimeoutMs).toBe(120_000);
  });

  it('reads a YAML config file, below flags and env', () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `port: 7000\nhost: 127.0.0.3\nmodes:\n  pods: fetch\nttl:\n  bindings: 30s\nauth: token\ntokens: ${tokens}\n`);
    const c = load(['--config', file], { HOST: '127.0.0.4' });
    expect(c).toMatchObject({ port: 7000, host: '127.0.0.4', auth: 'token', tokensFile: tokens, modes: { pods: 'fetch' } });
    expect(c.ttl.bindings).toBe(30_000);
    expect(load(['--config', file, '--port', '7001']).port).toBe(7001);
  });

  it('names the wrong flag, env variable or file key', () => {
    expect(errorOf(() => load(['--port', 'abc'])).source).toBe('--port');
    expect(errorOf(() => load([], { PORT: '70000' })).source).toBe('PORT');
    expect(errorOf(() => load(['--prot', '1'])).message).toMatch(/--prot: unknown option/);
    expect(errorOf(() => load(['--auth', 'basic'])).message).toMatch(/--auth: "basic" is not an auth mode/);
    expect(errorOf(() => load(['--auth', 'token'])).message).toMatch(/needs --tokens/);
    expect(errorOf(() => load(['--mode', 'widgets=fetch'])).message).toMatch(/--mode: unknown kind "widgets"/);
    expect(errorOf(() => load(['--mode', 'pods=sometimes'])).message).toMatch(/is not a mode/);
    expect(errorOf(() => load(['--mode', 'events=watch'])).message).toMatch(/always fetched/);
    expect(errorOf(() => load(['--member', 'm1'])).message).toMatch(/--member: "m1" is not <cluster>=<context>/);
    expect(errorOf(() => load(['--member', 'm1=c1'])).message).toMatch(/needs --kubeconfig/);
    expect(errorOf(() => load(['--kubeconfig', join(dir, 'missing')])).message).toMatch(/does not exist/);
    expect(errorOf(() => load(['--timeout', 'soon'])).message).toMatch(/--timeout: "soon" is not a positive duration/);
    expect(errorOf(() => load(['--port'])).message).toMatch(/--port: needs a value/);
    expect(errorOf(() => load(['--port', '1', '--port', '2'])).message).toMatch(/more than once/);
    expect(errorOf(() => load([], { REDIS_URL: 'localhost:6379' })).source).toBe('REDIS_URL');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'prot: 1\n');
    expect(errorOf(() => load(['--config', bad])).message).toMatch(/key "prot": unknown key/);
  });

  it('answers --help with every flag', () => {
    const r = loadConfig(['--help'], {});
    expect(r.kind).toBe('help');
    if (r.kind === 'help') {
      for (const flag of ['--kubeconfig', '--context', '--member', '--port', '--host', '--auth', '--tokens', '--mode', '--redis-url', '--timeout']) {
        expect(r.text).toContain(flag);
      }
    }
  });

  it('reads the request limits and allowed origins (flags, env), refusing bad values', () => {
    const r = loadConfig(['--max-document-bytes', '4096', '--max-tokens', '500', '--allowed-origins', 'https://a.example.com', '--allowed-origins', 'http://b.example.com:8080,https://c.example.com'], {});
    expect(r.kind === 'config' && [r.config.maxDocumentBytes, r.config.maxTokens, r.config.allowedOrigins])
      .toEqual([4096, 500, ['https://a.example.com', 'http://b.example.com:8080', 'https://c.example.com']]);
    const env = loadConfig([], { FLEETGRAPH_MAX_TOKENS: '900', FLEETGRAPH_MAX_DOCUMENT_BYTES: '100000' });
    expect(env.kind === 'config' && [env.config.maxTokens, env.config.maxDocumentBytes]).toEqual([900, 100000]);
    const defaults = loadConfig([], {});
    expect(defaults.kind === 'config' && [defaults.config.maxTokens, defaults.config.allowedOrigins]).toEqual([undefined, undefined]);
    expect(() => loadConfig(['--max-tokens', '0'], {})).toThrow(/--max-tokens/);
    expect(() => loadConfig(['--allowed-origins', 'ftp://x'], {})).toThrow(/--allowed-origins/);
  });

  it('reads --metrics-open and --introspection (flags, env), refusing bad values', () => {
    const defaults = loadConfig([], {});
    expect(defaults.kind === 'config' && [defaults.config.metricsOpen, defaults.config.introspection]).toEqual([undefined, undefined]);
    const flags = loadConfig(['--metrics-open', '--introspection', 'false'], {});
    expect(flags.kind === 'config' && [flags.config.metricsOpen, flags.config.introspection]).toEqual([true, false]);
    const env = loadConfig([], { FLEETGRAPH_METRICS_OPEN: 'false', FLEETGRAPH_INTROSPECTION: '1' });
    expect(env.kind === 'config' && [env.config.metricsOpen, env.config.introspection]).toEqual([false, true]);
    expect(() => loadConfig(['--introspection', 'maybe'], {})).toThrow(/--introspection/);
    expect(() => loadConfig([], { FLEETGRAPH_METRICS_OPEN: 'yes' })).toThrow(/FLEETGRAPH_METRICS_OPEN/);
  });

  it('reads --execution (flag, env): compiled by default (unset), refusing other values', () => {
    const defaults = loadConfig([], {});
    expect(defaults.kind === 'config' && defaults.config.execution).toBeUndefined();
    const flag = loadConfig(['--execution', 'interpreted'], {});
    expect(flag.kind === 'config' && flag.config.execution).toBe('interpreted');
    const env = loadConfig([], { FLEETGRAPH_EXECUTION: 'differential' });
    expect(env.kind === 'config' && env.config.execution).toBe('differential');
    expect(() => loadConfig(['--execution', 'jit'], {})).toThrow(/--execution/);
  });

  it('reads --otel-endpoint (flag, env): an http(s) URL without its trailing slash, off by default', () => {
    const defaults = loadConfig([], {});
    expect(defaults.kind === 'config' && defaults.config.otelEndpoint).toBeUndefined();
    const flag = loadConfig(['--otel-endpoint', 'http://collector:4318/'], {});
    expect(flag.kind === 'config' && flag.config.otelEndpoint).toBe('http://collector:4318');
    const env = loadConfig([], { FLEETGRAPH_OTEL_ENDPOINT: 'https://otel.example:4318' });
    expect(env.kind === 'config' && env.config.otelEndpoint).toBe('https://otel.example:4318');
    expect(() => loadConfig(['--otel-endpoint', 'collector:4318'], {})).toThrow(/--otel-endpoint/);
  });

  it('reads the per-user limits (flags, env), 0 switching one off, refusing bad values', () => {
    const c = load(['--rate-limit-per-minute', '5', '--ws-max-connections-per-user', '2', '--max-subscriptions-per-user', '0']);
    expect([c.rateLimitPerMinute, c.subscriptions?.maxConnectionsPerUser, c.subscriptions?.maxPerUser]).toEqual([5, 2, 0]);
    const env = load([], { FLEETGRAPH_RATE_LIMIT_PER_MINUTE: '0', FLEETGRAPH_WS_MAX_CONNECTIONS_PER_USER: '7', FLEETGRAPH_MAX_SUBSCRIPTIONS_PER_USER: '50' });
    expect([env.rateLimitPerMinute, env.subscriptions?.maxConnectionsPerUser, env.subscriptions?.maxPerUser]).toEqual([0, 7, 50]);
    // Unset: the defaults live where they are applied (createRateLimiter.ts, ws.ts).
    expect(load([]).rateLimitPerMinute).toBeUndefined();
    expect(errorOf(() => load(['--rate-limit-per-minute', '-1'])).message).toMatch(/--rate-limit-per-minute/);
    expect(errorOf(() => load(['--ws-max-connections-per-user', '1.5'])).message).toMatch(/--ws-max-connections-per-user/);
    expect(errorOf(() => load([], { FLEETGRAPH_RATE_LIMIT_PER_MINUTE: 'lots' })).message).toMatch(/FLEETGRAPH_RATE_LIMIT_PER_MINUTE/);
  });

  it('parses durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1500')).toBe(1500);
    expect(parseDuration('3 minutes')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

describe('--ready-timeout', () => {
  it('sets how long scale / rollback / instance creation wait, from the flag or the file; unset leaves the 5 min default to the Operations', () => {
    expect(load(['--ready-timeout', '8s']).readyTimeoutMs).toBe(8000);
    const file = join(dir, 'ready.yaml');
    writeFileSync(file, 'readyTimeout: 2m\n');
    expect(load(['--config', file]).readyTimeoutMs).toBe(120_000);
    expect(load([]).readyTimeoutMs).toBeUndefined();
    expect(() => loadConfig(['--ready-timeout', 'soon'], {})).toThrow(/--ready-timeout/);
  });
});
