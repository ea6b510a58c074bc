/**
 * Builds the validated Config from command-line flags, environment variables and an optional config file
 * (JSON or YAML). Precedence: flags > env > file > defaults. Every invalid value raises a ConfigError naming
 * the flag, env variable or file key that carried it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import type { CacheTtls, Config, ReadMode } from './Config.js';
import { ConfigError } from './ConfigError.js';
import { parseDuration } from './duration.js';
import { SERVE_FLAGS, serveHelpText } from './serveFlags.js';
import { parseAuthMode, readAuthOptions } from './authOptions.js';
import { ALL_KINDS } from '../fleet/kinds.js';
import { isPostgresUrl, parsePostgresUrl } from '../audit/postgresUrl.js';
import { inClusterKubeconfigYaml, writeInClusterKubeconfig } from './inClusterKubeconfig.js';

export const DEFAULT_TTLS: CacheTtls = {
  clusters: 5 * 60_000,
  nodes: 3 * 60_000,
  policies: 10 * 60_000,
  bindings: 2 * 60_000,
  events: 10_000,
  default: 60_000,
};

export const DEFAULT_CONFIG: Config = {
  memberContexts: {},
  port: 4000,
  host: '127.0.0.1',
  auth: 'none',
  modes: {},
  callTimeoutMs: 30_000,
  logsTimeoutMs: 120_000,
  metricsTimeoutMs: 5_000,
  ttl: DEFAULT_TTLS,
  middleware: { group: 'middleware.fleetgraph.io', version: 'v1alpha1' },
  logLevel: 'info',
  audit: { path: ':memory:', maxAgeMs: 30 * 24 * 3600_000, maxRows: 100_000 },
  readOnly: false,
  features: { resourceEdit: true, podTerminal: false, schedulingTrace: true },
  drainPodTimeoutMs: 120_000,
};

export type LoadConfigResult = { kind: 'config'; config: Config } | { kind: 'help'; text: string };

/** A value with where it came from, so errors can name it. */
interface Sourced<T> {
  value: T;
  source: string;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Where loadConfig looks for what is not a flag, env variable or config file. */
export interface LoadConfigOptions {
  /** The pod's ServiceAccount files, for the in-cluster identity. @default '/var/run/secrets/kubernetes.io/serviceaccount' */
  serviceAccountDir?: string;
}

/**
 * Parses `argv` (the arguments after `serve`) with `env` (default process.env).
 * @throws ConfigError when a flag, env variable or file key is invalid.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): LoadConfigResult {
  const flags = parseFlags(argv);
  if (flags.has('--help')) return { kind: 'help', text: serveHelpText() };

  const configFile = single(flags, '--config') ?? fromEnv(env, 'FLEETGRAPH_CONFIG');
  const file = configFile ? readConfigFile(configFile) : {};
  const fileSource = (key: string) => `${configFile?.source ?? 'config file'} key "${key}"`;

  /** The first set of: flag, env, file key. */
  const pick = (flag: string): Sourced<unknown> | undefined => {
    const spec = SERVE_FLAGS.find((f) => f.flag === flag)!;
    const fromFlag = single(flags, flag);
    if (fromFlag) return fromFlag;
    if (spec.env) {
      const e = fromEnv(env, spec.env);
      if (e) return e;
    }
    if (spec.fileKey && file[spec.fileKey] !== undefined) return { value: file[spec.fileKey], source: fileSource(spec.fileKey) };
    return undefined;
  };

  const config: Config = structuredClone(DEFAULT_CONFIG);

  const kubeconfig = pick('--kubeconfig');
  if (kubeconfig) {
    const path = resolve(asString(kubeconfig));
    if (!existsSync(path)) throw new ConfigError(kubeconfig.source, `kubeconfig file ${path} does not exist`);
    config.kubeconfig = path;
  } else {
    // In a pod (KUBERNETES_SERVICE_HOST) without --kubeconfig: the pod's ServiceAccount, not the embedded demo.
    const inCluster = inClusterKubeconfigYaml(env, options.serviceAccountDir);
    if (inCluster) {
      config.kubeconfig = writeInClusterKubeconfig(inCluster);
      config.inCluster = true;
    }
  }
  const context = pick('--context');
  if (context) config.context = nonEmpty(context);

  // --member: repeated flags replace the file's list entirely (a list is one value).
  const memberFlags = flags.get('--member');
  const memberItems: Array<Sourced<unknown>> = memberFlags
    ? memberFlags
    : file.members !== undefined
      ? toItems(file.members, fileSource('members'))
      : [];
  for (const item of memberItems) {
    const [cluster, ctx] = splitPair(item, '<cluster>=<context>');
    config.memberContexts[cluster] = ctx;
  }
  if (Object.keys(config.memberContexts).length > 0 && !config.kubeconfig) {
    throw new ConfigError('--member', 'needs --kubeconfig (the contexts are looked up in it)');
  }

  const port = pick('--port');
  if (port) {
    const n = Number(port.value);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(port.source, `"${String(port.value)}" is not a port (0-65535)`);
    config.port = n;
  }
  const host = pick('--host');
  if (host) config.host = nonEmpty(host);

  const auth = pick('--auth');
  if (auth) config.auth = parseAuthMode(auth);
  const tokens = pick('--tokens');
  if (tokens) {
    const path = resolve(asString(tokens));
    if (!existsSync(path)) throw new ConfigError(tokens.source, `tokens file ${path} does not exist`);
    config.tokensFile = path;
  }
  if (config.auth === 'token' && !config.tokensFile) throw new ConfigError('--auth', 'token mode needs --tokens <file>');
  readAuthOptions(pick, config);

  const modeItems: Array<Sourced<unknown>> = flags.get('--mode')
    ?? (env.FLEETGRAPH_MODES ? env.FLEETGRAPH_MODES.split(',').filter(Boolean).map((v) => ({ value: v, source: 'FLEETGRAPH_MODES' }))
      : file.modes !== undefined ? toItems(file.modes, fileSource('modes')) : []);
  for (const item of modeItems) {
    const [kind, mode] = splitPair(item, '<kind>=watch|fetch');
    if (!(ALL_KINDS as readonly string[]).includes(kind)) {
      throw new ConfigError(item.source, `unknown kind "${kind}" (one of ${ALL_KINDS.join(', ')})`);
    }
    if (mode !== 'watch' && mode !== 'fetch') throw new ConfigError(item.source, `"${mode}" is not a mode (watch|fetch)`);
    if (kind === 'events' && mode === 'watch') throw new ConfigError(item.source, 'events are always fetched, never watched');
    config.modes[kind] = mode as ReadMode;
  }

  const redis = pick('--redis-url');
  if (redis) {
    const v = nonEmpty(redis);
    if (!/^rediss?:\/\//.test(v)) throw new ConfigError(redis.source, `"${v}" is not a redis:// or rediss:// URL`);
    config.redisUrl = v;
  }
  const otel = pick('--otel-endpoint');
  if (otel) {
    const v = nonEmpty(otel);
    if (!/^https?:\/\/[^/]/.test(v)) throw new ConfigError(otel.source, `"${v}" is not an http:// or https:// URL (the OTLP/HTTP collector, e.g. http://collector:4318)`);
    config.otelEndpoint = v.replace(/\/+$/, '');
  }
  const redisPrefix = pick('--redis-prefix');
  if (redisPrefix) config.redisPrefix = nonEmpty(redisPrefix);
  const fleetId = pick('--fleet-id');
  if (fleetId) {
    const v = nonEmpty(fleetId);
    // It becomes part of Redis keys and channels: keep it to characters that need no quoting anywhere.
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(v)) throw new ConfigError(fleetId.source, `"${v}" is not a fleet id (1-64 of A-Z a-z 0-9 . _ -)`);
    config.fleetId = v;
  }
  const timeout = pick('--timeout');
  if (timeout) config.callTimeoutMs = positiveDuration(timeout);
  const logsTimeout = pick('--logs-timeout');
  if (logsTimeout) config.logsTimeoutMs = positiveDuration(logsTimeout);
  const metricsTimeout = pick('--metrics-timeout');
  if (metricsTimeout) config.metricsTimeoutMs = positiveDuration(metricsTimeout);

  const ttlItems: Array<Sourced<unknown>> = flags.get('--ttl') ?? (file.ttl !== undefined ? toItems(file.ttl, fileSource('ttl')) : []);
  for (const item of ttlItems) {
    const [cls, dur] = splitPair(item, '<class>=<duration>');
    if (!(cls in DEFAULT_TTLS)) throw new ConfigError(item.source, `unknown TTL class "${cls}" (one of ${Object.keys(DEFAULT_TTLS).join(', ')})`);
    const ms = parseDuration(dur);
    if (ms === undefined) throw new ConfigError(item.source, `"${dur}" is not a duration (e.g. 30s, 2m)`);
    config.ttl[cls as keyof CacheTtls] = ms;
  }

  const mwGroup = pick('--middleware-group');
  if (mwGroup) config.middleware.group = nonEmpty(mwGroup);
  const mwVersion = pick('--middleware-version');
  if (mwVersion) config.middleware.version = nonEmpty(mwVersion);

  const level = pick('--log-level');
  if (level) {
    const v = asString(level);
    if (!LOG_LEVELS.includes(v)) throw new ConfigError(level.source, `"${v}" is not a log level (${LOG_LEVELS.join('|')})`);
    config.logLevel = v;
  }

  const auditDb = pick('--audit-db');
  if (auditDb) {
    const target = nonEmpty(auditDb);
    if (isPostgresUrl(target)) {
      // A malformed URL or schema name is a config error now, not a failed start later.
      try {
        parsePostgresUrl(target);
      } catch (err) {
        throw new ConfigError(auditDb.source, (err as Error).message);
      }
    }
    // A PostgreSQL URL is kept as given (resolving it as a path would make it a file name); a file is made absolute.
    config.audit.path = target === ':memory:' || isPostgresUrl(target) ? target : resolve(target);
  }
  const auditAge = pick('--audit-max-age');
  if (auditAge) config.audit.maxAgeMs = positiveDuration(auditAge);
  const auditRows = pick('--audit-max-rows');
  if (auditRows) {
    const n = Number(auditRows.value);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(auditRows.source, `"${String(auditRows.value)}" is not a positive integer`);
    config.audit.maxRows = n;
  }
  const opsStore = pick('--operations-store');
  const opsNamespace = pick('--operations-namespace');
  const opsLease = pick('--operation-lease-duration');
  const replicaId = pick('--replica-id');
  if (opsStore || opsNamespace || opsLease || replicaId) {
    const ops = (config.operations ??= { store: 'auto', namespace: 'fleetgraph-system', leaseDurationMs: 15_000 });
    if (opsStore) {
      const v = asString(opsStore);
      if (v !== 'auto' && v !== 'shared' && v !== 'in-process') throw new ConfigError(opsStore.source, `"${v}" is not an Operations store (auto|shared|in-process)`);
      ops.store = v;
    }
    if (opsNamespace) ops.namespace = nonEmpty(opsNamespace);
    if (opsLease) {
      ops.leaseDurationMs = positiveDuration(opsLease);
      if (ops.leaseDurationMs < 2_000 || ops.leaseDurationMs % 1000 !== 0) throw new ConfigError(opsLease.source, 'a lease duration is whole seconds, at least 2s');
    }
    if (replicaId) ops.replicaId = nonEmpty(replicaId);
  }
  const readOnly = pick('--read-only');
  if (readOnly) config.readOnly = trueOrFalse(readOnly);
  // Operational endpoints and introspection in auth modes other than none (issue 12).
  const metricsOpen = pick('--metrics-open');
  if (metricsOpen) config.metricsOpen = trueOrFalse(metricsOpen);
  const introspection = pick('--introspection');
  if (introspection) config.introspection = trueOrFalse(introspection);
  const execution = pick('--execution');
  if (execution) {
    const v = asString(execution);
    if (v !== 'compiled' && v !== 'interpreted' && v !== 'differential') throw new ConfigError(execution.source, `"${v}" is not an execution mode (compiled, interpreted or differential)`);
    config.execution = v;
  }
  const authz = pick('--authz');
  if (authz) {
    const v = asString(authz);
    if (v !== 'rbac' && v !== 'sar') throw new ConfigError(authz.source, `"${v}" is not an authorization mode (rbac or sar)`);
    config.authz = v;
  }
  const auditReaderItems: Array<Sourced<unknown>> = flags.get('--audit-readers')
    ?? (env.FLEETGRAPH_AUDIT_READERS ? [{ value: env.FLEETGRAPH_AUDIT_READERS, source: 'FLEETGRAPH_AUDIT_READERS' }] : file.auditReaders !== undefined ? toItems(file.auditReaders, fileSource('auditReaders')) : []);
  if (auditReaderItems.length) config.auditReaders = auditReaderItems.flatMap((i) => asString(i).split(',')).map((g) => g.trim()).filter(Boolean);
  const featureItems: Array<Sourced<unknown>> = flags.get('--feature') ?? (file.features !== undefined ? toItems(file.features, fileSource('features')) : []);
  for (const item of featureItems) {
    const [name, state] = splitPair(item, '<feature>=on|off');
    if (!(name in config.features)) throw new ConfigError(item.source, `unknown feature "${name}" (one of ${Object.keys(config.features).join(', ')})`);
    if (!['on', 'off', 'true', 'false'].includes(state)) throw new ConfigError(item.source, `"${state}" is not on or off`);
    config.features[name as keyof Config['features']] = state === 'on' || state === 'true';
  }
  const sampleInterval = pick('--usage-sample-interval');
  const historyKept = pick('--usage-history');
  const prometheusUrl = pick('--prometheus-url');
  if (sampleInterval || historyKept || prometheusUrl) {
    const history: NonNullable<Config['usageHistory']> = { sampleIntervalMs: 30_000, keepMs: 3_600_000 };
    if (sampleInterval) {
      history.sampleIntervalMs = positiveDuration(sampleInterval);
      if (history.sampleIntervalMs % 1000 !== 0) throw new ConfigError(sampleInterval.source, 'a sampling interval is whole seconds (e.g. 30s)');
    }
    if (historyKept) history.keepMs = positiveDuration(historyKept);
    const where = historyKept ?? sampleInterval!;
    if (history.keepMs < history.sampleIntervalMs) throw new ConfigError(where.source, 'the usage history kept is shorter than the sampling interval');
    if (history.keepMs / history.sampleIntervalMs > 10_000) throw new ConfigError(where.source, 'the usage history would hold more than 10000 samples per node: keep less or sample less often');
    if (prometheusUrl) {
      const v = nonEmpty(prometheusUrl);
      if (!/^https?:\/\/[^/]/.test(v)) throw new ConfigError(prometheusUrl.source, `"${v}" is not an http:// or https:// URL (the Prometheus server, e.g. http://prometheus:9090)`);
      history.prometheusUrl = v.replace(/\/+$/, '');
    }
    config.usageHistory = history;
  }
  const shutdownTimeout = pick('--shutdown-timeout');
  if (shutdownTimeout) config.shutdownTimeoutMs = positiveDuration(shutdownTimeout);
  const readyTimeout = pick('--ready-timeout');
  if (readyTimeout) config.readyTimeoutMs = positiveDuration(readyTimeout);
  const drainTimeout = pick('--drain-pod-timeout');
  if (drainTimeout) config.drainPodTimeoutMs = positiveDuration(drainTimeout);
  const schedulingTimeout = pick('--apply-scheduling-timeout');
  if (schedulingTimeout) config.applySchedulingTimeoutMs = positiveDuration(schedulingTimeout);

  const subs: NonNullable<Config['subscriptions']> = {};
  for (const [flag, key] of [['--ws-max-subscriptions', 'maxPerConnection'], ['--subscription-queue', 'queueCapacity']] as const) {
    const item = pick(flag);
    if (!item) continue;
    const n = Number(item.value);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(item.source, `"${String(item.value)}" is not a positive integer`);
    subs[key] = n;
  }
  // Per-user caps (issue 12): 0 switches one off, so non-negative integers.
  for (const [flag, key] of [['--ws-max-connections-per-user', 'maxConnectionsPerUser'], ['--max-subscriptions-per-user', 'maxPerUser']] as const) {
    const item = pick(flag);
    if (item) subs[key] = nonNegativeInteger(item);
  }
  const keepAlive = pick('--ws-keepalive');
  if (keepAlive) {
    const ms = parseDuration(asString(keepAlive));
    if (ms === undefined) throw new ConfigError(keepAlive.source, `"${String(keepAlive.value)}" is not a duration (e.g. 12s; 0 disables)`);
    subs.keepAliveMs = ms;
  }
  const prefix = pick('--redis-channel-prefix');
  if (prefix) subs.channelPrefix = nonEmpty(prefix);
  if (Object.keys(subs).length) config.subscriptions = subs;
  const maxCost = pick('--max-query-cost');
  if (maxCost) {
    const n = Number(maxCost.value);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(maxCost.source, `"${String(maxCost.value)}" is not a positive integer`);
    config.maxQueryCost = n;
  }
  // Request core limits and browser origins (issue 10).
  for (const [flag, key] of [['--max-document-bytes', 'maxDocumentBytes'], ['--max-tokens', 'maxTokens']] as const) {
    const given = pick(flag);
    if (!given) continue;
    const n = Number(given.value);
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(given.source, `"${String(given.value)}" is not a positive integer`);
    config[key] = n;
  }
  const rateLimit = pick('--rate-limit-per-minute');
  if (rateLimit) config.rateLimitPerMinute = nonNegativeInteger(rateLimit);
  const originItems: Array<Sourced<unknown>> = flags.get('--allowed-origins')
    ?? (env.FLEETGRAPH_ALLOWED_ORIGINS ? [{ value: env.FLEETGRAPH_ALLOWED_ORIGINS, source: 'FLEETGRAPH_ALLOWED_ORIGINS' }]
      : file.allowedOrigins !== undefined ? (Array.isArray(file.allowedOrigins) ? file.allowedOrigins : [file.allowedOrigins]).map((v) => ({ value: v, source: fileSource('allowedOrigins') })) : []);
  for (const item of originItems) {
    for (const part of asString(item).split(',')) {
      const text = part.trim();
      if (!text) continue;
      let origin: string;
      try {
        origin = new URL(text).origin;
      } catch {
        origin = 'null';
      }
      if (origin === 'null' || !/^https?:/.test(origin)) throw new ConfigError(item.source, `"${text}" is not an origin (e.g. https://console.example.com)`);
      (config.allowedOrigins ??= []).push(origin);
    }
  }
  return { kind: 'config', config };
}

function parseFlags(argv: readonly string[]): Map<string, Array<Sourced<string>>> {
  const out = new Map<string, Array<Sourced<string>>>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '-h') {
      out.set('--help', []);
      continue;
    }
    if (!token.startsWith('--')) throw new ConfigError(token, 'unexpected argument (options start with --; see --help)');
    const eq = token.indexOf('=');
    const name = eq > 0 ? token.slice(0, eq) : token;
    const spec = SERVE_FLAGS.find((f) => f.flag === name);
    if (!spec) throw new ConfigError(name, 'unknown option (see --help)');
    let value: string;
    if (!spec.arg) {
      if (eq > 0) throw new ConfigError(name, 'takes no value');
      value = 'true';
    } else if (eq > 0) {
      value = token.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new ConfigError(name, `needs a value ${spec.arg}`);
      value = next;
      i++;
    }
    const list = out.get(name) ?? [];
    if (list.length > 0 && !spec.repeatable) throw new ConfigError(name, 'given more than once');
    list.push({ value, source: name });
    out.set(name, list);
  }
  return out;
}

/** A boolean setting: true|false|1|0 (a file key may hold a JSON/YAML boolean). */
function trueOrFalse(item: Sourced<unknown>): boolean {
  const v = asString(item);
  if (!['true', 'false', '1', '0'].includes(v)) throw new ConfigError(item.source, `"${v}" is not true or false`);
  return v === 'true' || v === '1';
}

function single(flags: Map<string, Array<Sourced<string>>>, name: string): Sourced<string> | undefined {
  return flags.get(name)?.[0];
}

function fromEnv(env: NodeJS.ProcessEnv, name: string): Sourced<string> | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : { value: v, source: name };
}

function readConfigFile(src: Sourced<string>): Record<string, unknown> {
  const path = resolve(src.value);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(src.source, `cannot read ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : yaml.load(text);
  } catch (err) {
    throw new ConfigError(src.source, `${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  if (parsed === undefined || parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(src.source, `${path} must hold a mapping of options`);
  const known = new Set(SERVE_FLAGS.map((f) => f.fileKey).filter(Boolean));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) throw new ConfigError(`${src.source} key "${key}"`, `unknown key (known: ${[...known].join(', ')})`);
  }
  return parsed as Record<string, unknown>;
}

/** A file value that is a list of "a=b" strings or a mapping {a: b} becomes items "a=b". */
function toItems(value: unknown, source: string): Array<Sourced<unknown>> {
  if (Array.isArray(value)) return value.map((v) => ({ value: v, source }));
  if (value && typeof value === 'object') {
    return Object.entries(value).map(([k, v]) => ({ value: `${k}=${String(v)}`, source }));
  }
  throw new ConfigError(source, 'must be a list of "a=b" strings or a mapping');
}

function splitPair(item: Sourced<unknown>, shape: string): [string, string] {
  const text = asString(item);
  const eq = text.indexOf('=');
  const a = text.slice(0, eq).trim();
  const b = text.slice(eq + 1).trim();
  if (eq <= 0 || !a || !b) throw new ConfigError(item.source, `"${text}" is not ${shape}`);
  return [a, b];
}

function asString(s: Sourced<unknown>): string {
  if (typeof s.value === 'string') return s.value;
  if (typeof s.value === 'number' || typeof s.value === 'boolean') return String(s.value);
  throw new ConfigError(s.source, 'must be a string');
}

function nonEmpty(s: Sourced<unknown>): string {
  const v = asString(s).trim();
  if (!v) throw new ConfigError(s.source, 'must not be empty');
  return v;
}

function nonNegativeInteger(s: Sourced<unknown>): number {
  const n = typeof s.value === 'number' || typeof s.value === 'string' ? Number(s.value) : NaN;
  if (s.value === '' || !Number.isInteger(n) || n < 0) throw new ConfigError(s.source, `"${String(s.value)}" is not a whole number (0 disables)`);
  return n;
}

function positiveDuration(s: Sourced<unknown>): number {
  const raw = typeof s.value === 'number' ? s.value : asString(s);
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) throw new ConfigError(s.source, `"${String(s.value)}" is not a positive duration (e.g. 30s, 2m)`);
  return ms;
}
