#!/usr/bin/env node
/**
 * Fuzz the gateway over both transports (issue 10, "Done when"): a simulator in this process, the gateway as a
 * child process (`dist/main.js serve`, as bin/fleetgraph.js runs it) with the V8 inspector on a loopback port,
 * then documents generated from the schema's introspection (random fields, arguments of right and wrong
 * types, nesting, aliases, fragments, variables, directives) and malformed bodies (bad JSON, wrong content
 * types, huge strings, null bytes, deep variables, batches, oversized bodies) over HTTP, and generated
 * operations over WebSocket. Deterministic for a seed (the documents; timings are not).
 *
 * Reports: HTTP 5xx, INTERNAL codes, sockets closed with 4500, whether the gateway crashed, error lines it
 * logged, and its heap after a full GC (the inspector's HeapProfiler.collectGarbage, then
 * Runtime.getHeapUsage): cold (after 50 small queries), after the first tenth of the HTTP requests (the
 * baseline: bounded caches are full by then) and at the end; the 20 % criterion is against the baseline. Bounded: by counts and by --time-limit.
 *
 *   node scripts/fuzz.mjs [--seed 1] [--http 10000] [--ws 1000] [--concurrency 8] [--time-limit 600]
 *
 * Exits 1 when any 5xx, INTERNAL, 4500 or crash was seen, or the heap grew more than 20 %.
 * `runFuzz(options)` is exported for the bounded CI test (test/fuzz-smoke.test.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildClientSchema, getIntrospectionQuery, getNamedType, getNullableType, isEnumType, isInputObjectType, isInterfaceType,
  isLeafType, isListType, isNonNullType, isObjectType, isScalarType, isUnionType } from 'graphql';
import WebSocket from 'ws';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------- deterministic randomness ----------
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  constructor(seed) { this.next = mulberry32(seed); }
  int(n) { return Math.floor(this.next() * n); }
  chance(p) { return this.next() < p; }
  pick(list) { return list[this.int(list.length)]; }
}

// ---------- documents from the schema ----------
const NAMES = ['member1', 'member2', 'default', 'kube-system', 'web', 'nginx', 'karmada', 'x', 'nope', 'Bad_Name', ''];
const STRINGS = [...NAMES, 'app=web', 'app in (a,b)', '==', '\u0000', 'é', '💥', 'a'.repeat(300), '2026-01-01T00:00:00Z', '{}'];

/** A literal (GraphQL syntax) and the same value as JSON, of `type` or (when `wrong`) of another type. */
function valueOf(r, type, depth, wrong) {
  const t = getNullableType(type);
  if (wrong || r.chance(0.04)) {
    const choices = [['"x"', 'x'], ['1', 1], ['true', true], ['1.5', 1.5], ['null', null], ['[1, 2]', [1, 2]], ['{ a: 1 }', { a: 1 }], ['NOPE', 'NOPE'], ['-1', -1], ['99999999999', 99999999999]];
    const [lit, json] = r.pick(choices);
    return { lit, json };
  }
  if (isListType(t)) {
    const n = r.int(3);
    const items = Array.from({ length: n }, () => valueOf(r, t.ofType, depth + 1, false));
    return { lit: `[${items.map((i) => i.lit).join(', ')}]`, json: items.map((i) => i.json) };
  }
  if (isEnumType(t)) {
    const v = r.pick(t.getValues()).name;
    return { lit: v, json: v };
  }
  if (isInputObjectType(t)) {
    const fields = Object.values(t.getFields()).filter((f) => isNonNullType(f.type) || (depth < 3 && r.chance(0.4)));
    const vals = fields.map((f) => [f.name, valueOf(r, f.type, depth + 1, false)]);
    return { lit: `{ ${vals.map(([n, v]) => `${n}: ${v.lit}`).join(', ')} }`, json: Object.fromEntries(vals.map(([n, v]) => [n, v.json])) };
  }
  if (isScalarType(t)) {
    switch (t.name) {
      case 'Int': { const v = r.pick([0, 1, 2, 5, 10, 100, 5000, 5001, -3]); return { lit: String(v), json: v }; }
      case 'Float': { const v = r.pick([0, 0.5, 2.25, -1]); return { lit: String(v), json: v }; }
      case 'Boolean': { const v = r.chance(0.5); return { lit: String(v), json: v }; }
      case 'ID': { const v = r.pick(['Y2x1c3Rlcg', 'bm9wZQ==', 'x', '']); return { lit: JSON.stringify(v), json: v }; }
      default: { const v = r.pick(STRINGS); return { lit: JSON.stringify(v), json: v }; }
    }
  }
  return { lit: 'null', json: null };
}

/** A type's name as written in a variable definition. */
function typeRef(type) {
  if (isNonNullType(type)) return `${typeRef(type.ofType)}!`;
  if (isListType(type)) return `[${typeRef(type.ofType)}]`;
  return type.name;
}

class DocumentGenerator {
  constructor(schema, r) {
    this.schema = schema;
    this.r = r;
  }

  generate(kind) {
    const r = this.r;
    this.variables = [];
    this.variableValues = {};
    this.fragments = [];
    this.fragmentCount = 0;
    const root = kind === 'mutation' ? this.schema.getMutationType() : kind === 'subscription' ? this.schema.getSubscriptionType() : this.schema.getQueryType();
    const maxDepth = 1 + r.int(r.chance(0.1) ? 20 : 6);
    const selection = this.selectionSet(root, 0, maxDepth, kind === 'subscription' ? 1 : 1 + r.int(3), kind === 'subscription');
    const vars = this.variables.length ? `(${this.variables.join(', ')})` : '';
    const name = r.chance(0.5) ? ` Fuzz${r.int(50)}` : '';
    const head = kind === 'query' && !vars && !name && r.chance(0.5) ? '' : `${kind}${name}${vars} `;
    const query = `${head}${selection}${this.fragments.length ? ` ${this.fragments.join(' ')}` : ''}`;
    return { query, variables: this.variables.length ? this.variableValues : undefined };
  }

  directives() {
    const r = this.r;
    if (!r.chance(0.12)) return '';
    const which = r.pick(['include', 'skip', 'deprecated', 'nope']);
    if (r.chance(0.5)) {
      const v = `d${this.variables.length}`;
      this.variables.push(`$${v}: Boolean!`);
      this.variableValues[v] = r.chance(0.9) ? r.chance(0.5) : r.pick(['x', 1, null]);
      return ` @${which}(if: $${v})`;
    }
    return ` @${which}(if: ${r.pick(['true', 'false', '"x"', '1', 'null'])})`;
  }

  args(field) {
    const r = this.r;
    const parts = [];
    for (const arg of field.args) {
      if (!isNonNullType(arg.type) && !r.chance(0.4)) continue;
      const wrong = r.chance(0.1);
      if (r.chance(0.3)) {
        const v = `v${this.variables.length}`;
        const declared = r.chance(0.9) ? typeRef(arg.type) : r.pick(['Int', 'String!', 'Nope', '[Int]']);
        this.variables.push(`$${v}: ${declared}`);
        this.variableValues[v] = valueOf(r, arg.type, 0, wrong).json;
        parts.push(`${arg.name}: $${v}`);
      } else {
        parts.push(`${arg.name}: ${valueOf(r, arg.type, 0, wrong).lit}`);
      }
    }
    if (r.chance(0.03)) parts.push(`nope: 1`);
    return parts.length ? `(${parts.join(', ')})` : '';
  }

  selectionSet(type, depth, maxDepth, breadth, single = false) {
    const r = this.r;
    const named = getNamedType(type);
    if (isUnionType(named) || isInterfaceType(named)) {
      const possible = this.schema.getPossibleTypes(named);
      const parts = ['__typename'];
      if (isInterfaceType(named)) parts.push(this.fields(named, depth, maxDepth, breadth, single));
      if (possible.length && r.chance(0.6)) parts.push(`... on ${r.pick(possible).name} ${this.selectionSet(r.pick(possible), depth + 1, maxDepth, 1)}`);
      return `{ ${parts.filter(Boolean).join(' ')} }`;
    }
    if (!isObjectType(named)) return '';
    const inner = this.fields(named, depth, maxDepth, breadth, single);
    if (!single && this.fragmentCount < 4 && r.chance(0.1)) {
      const f = `F${this.fragmentCount++}`;
      this.fragments.push(`fragment ${f} on ${named.name} { ${inner} }`);
      return `{ ...${f}${r.chance(0.3) ? ' __typename' : ''} }`;
    }
    return `{ ${inner} }`;
  }

  fields(type, depth, maxDepth, breadth, single) {
    const r = this.r;
    const all = Object.values(type.getFields());
    const out = [];
    for (let i = 0; i < breadth; i++) {
      const field = r.chance(0.03) ? { name: 'noSuchField', args: [], type: null } : r.pick(all);
      const alias = r.chance(0.15) ? `a${r.int(40)}: ` : '';
      const args = field.type ? this.args(field) : '';
      const dirs = this.directives();
      const named = field.type ? getNamedType(field.type) : null;
      let sub = '';
      if (named && !isLeafType(named)) {
        sub = depth + 1 >= maxDepth && !r.chance(0.05) ? '{ __typename }' : this.selectionSet(field.type, depth + 1, maxDepth, 1 + r.int(2));
      }
      out.push(`${alias}${field.name}${args}${dirs} ${sub}`.trim());
      if (single) break;
    }
    if (!single && r.chance(0.1)) out.push(r.chance(0.5) ? '__typename' : `t${r.int(40)}: __typename`);
    return out.join(' ');
  }
}

// ---------- malformed HTTP requests ----------
function deepJson(n) { return `${'['.repeat(n)}1${']'.repeat(n)}`; }

function malformed(r, gen) {
  const doc = () => gen.generate('query');
  switch (r.int(16)) {
    case 0: return { body: '{"query": "{ __typename }"', type: 'application/json' };
    case 1: return { body: JSON.stringify(doc()), type: r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', '']) };
    case 2: return { body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(300_000)}` }), type: 'application/json' };
    case 3: return { body: JSON.stringify({ query: '{ clusters(first: 1) { totalCount } }', variables: { s: 'y'.repeat(900_000) } }), type: 'application/json' };
    case 4: return { body: JSON.stringify({ query: `{ __type\u0000name ${'\u0000'.repeat(r.int(5))}}` }), type: 'application/json' };
    case 5: return { body: `{"query":"query($n: Int) { clusters(first: $n) { totalCount } }","variables":{"n":${deepJson(r.pick([100, 10_000, 100_000]))}}}`, type: 'application/json' };
    case 6: return { body: JSON.stringify(Array.from({ length: 1 + r.int(5) }, doc)), type: 'application/json' };
    case 7: return { body: '[]', type: 'application/json' };
    case 8: return { body: JSON.stringify({ query: 42, variables: 'x', operationName: 7 }), type: 'application/json' };
    case 9: return { body: JSON.stringify({ variables: {} }), type: 'application/json' };
    case 10: return { body: JSON.stringify({ ...doc(), extensions: { persistedQuery: { version: r.pick([1, 2]), sha256Hash: r.pick(['abc', 'f'.repeat(64)]) } } }), type: 'application/json' };
    case 11: return { body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'e'.repeat(64) } } }), type: 'application/json' };
    case 12: return { body: 'x'.repeat(1024 * 1024 + 10 + r.int(100_000)), type: 'application/json' };
    case 13: return { method: 'GET', search: `?query=${encodeURIComponent(doc().query)}`, headers: r.chance(0.5) ? { 'apollo-require-preflight': 'true' } : {} };
    case 14: return { method: r.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']), body: JSON.stringify(doc()), type: 'application/json' };
    default: return { body: JSON.stringify({ query: `{ ${'__typename '.repeat(20_000)}}` }), type: 'application/json' };
  }
}

function send(url, { method = 'POST', body, type, search = '', headers = {} }) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = httpRequest({ host: u.hostname, port: u.port, path: `${u.pathname}${search}`, method, headers: { ...(type !== undefined ? { 'content-type': type } : {}), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: -1, text: String(e) }));
    });
    req.on('error', (e) => resolve({ status: -1, text: String(e) }));
    req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

/** Every `extensions.code` in a GraphQL answer (single or batch). */
function codesIn(text) {
  let body;
  try { body = JSON.parse(text); } catch { return []; }
  const list = Array.isArray(body) ? body : [body];
  return list.flatMap((b) => (b?.errors ?? []).map((e) => e?.extensions?.code ?? 'NONE'));
}

// ---------- the gateway under test ----------
/** A port free on loopback now (the gateway is told it; --port 0 would leave us guessing which it took). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startGateway(kubeconfig) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', join(ROOT, 'dist/main.js'), 'serve', '--kubeconfig', kubeconfig, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'warn'],
    { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { child, url: undefined, inspector: undefined, errorLines: 0, samples: [], exited: undefined };
  child.on('exit', (code, signal) => { state.exited = { code, signal }; });
  const lines = (stream, onLine) => {
    let buf = '';
    stream.on('data', (c) => {
      buf += c;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { onLine(buf.slice(0, i)); buf = buf.slice(i + 1); }
    });
  };
  lines(child.stderr, (line) => {
    if (process.env.FUZZ_DEBUG) console.error(`[gateway] ${line}`);
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (m) state.inspector = m[1];
  });
  lines(child.stdout, (line) => {
    if (process.env.FUZZ_DEBUG) console.error(`[gateway] ${line}`);
    try {
      const entry = JSON.parse(line);
      if (entry.level >= 50) { state.errorLines++; if (state.samples.length < 5) state.samples.push(entry.msg ?? line.slice(0, 300)); }
    } catch { /* not JSON */ }
  });
  const deadline = Date.now() + 180_000;
  const fail = (why) => { child.kill('SIGKILL'); return new Error(why); };
  while (!state.inspector && Date.now() < deadline && !state.exited) await new Promise((r) => setTimeout(r, 50));
  if (!state.inspector) throw fail(`gateway inspector did not start: ${JSON.stringify(state.exited)}`);
  state.cdp = await openCdp(state.inspector);
  state.url = `http://127.0.0.1:${port}/graphql`;
  for (;;) {
    if (state.exited) throw fail(`gateway exited at start: ${JSON.stringify(state.exited)}`);
    const ready = await fetch(state.url.replace('/graphql', '/readyz')).then((r) => r.status === 200, (e) => { state.lastStartError = String(e?.cause ?? e); return false; });
    if (ready) break;
    if (Date.now() > deadline) throw fail(`gateway not ready within 180 s: ${state.lastStartError}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return state;
}

/** A minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
function openCdp(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    let id = 0;
    const pending = new Map();
    socket.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.id && pending.has(m.id)) {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error) p.reject(new Error(m.error.message)); else p.resolve(m.result);
      }
    });
    const call = (method, params = {}) => new Promise((res, rej) => {
      const n = ++id;
      pending.set(n, { resolve: res, reject: rej });
      socket.send(JSON.stringify({ id: n, method, params }));
    });
    socket.on('error', reject);
    socket.on('open', () => resolve({
      call,
      async evaluate(expression) {
        const r = await call('Runtime.evaluate', { expression, includeCommandLineAPI: true, returnByValue: true });
        return r.result.value;
      },
      /** Heap used after a full GC, bytes. */
      async heapAfterGc() {
        await call('HeapProfiler.collectGarbage');
        await call('HeapProfiler.collectGarbage');
        return (await call('Runtime.getHeapUsage')).usedSize;
      },
      close() { socket.close(); },
    }));
  });
}

// ---------- WebSocket operations ----------
function openWs(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const s = { socket, closeCode: undefined, handlers: new Map() };
    socket.on('close', (code) => { s.closeCode = code; for (const h of s.handlers.values()) h({ type: 'closed', code }); });
    socket.on('error', () => undefined);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'connection_ack') resolve(s);
      else if (m.type === 'ping') socket.send('{"type":"pong"}');
      else if (m.id && s.handlers.has(m.id)) s.handlers.get(m.id)(m);
    });
    setTimeout(() => reject(new Error('no ack')), 15_000);
  });
}

/** Runs one operation: its messages until error/complete, or until 300 ms of a subscription (then stops it). */
function wsOperation(s, id, payloadText) {
  return new Promise((resolve) => {
    const codes = [];
    let timer;
    const done = (how) => { clearTimeout(timer); s.handlers.delete(id); resolve({ how, codes }); };
    s.handlers.set(id, (m) => {
      if (m.type === 'closed') return done(`closed ${m.code}`);
      if (m.type === 'next') { for (const e of m.payload?.errors ?? []) codes.push(e?.extensions?.code ?? 'NONE'); }
      else if (m.type === 'error') { for (const e of m.payload ?? []) codes.push(e?.extensions?.code ?? 'NONE'); done('error'); }
      else if (m.type === 'complete') done('complete');
    });
    timer = setTimeout(() => {
      if (s.socket.readyState === WebSocket.OPEN) s.socket.send(JSON.stringify({ id, type: 'complete' }));
      done('stopped');
    }, 300);
    if (s.socket.readyState !== WebSocket.OPEN) return done(`closed ${s.closeCode}`);
    s.socket.send(`{"id":"${id}","type":"subscribe","payload":${payloadText}}`);
  });
}

// ---------- the run ----------
async function pool(count, concurrency, deadline, task) {
  let next = 0;
  let ran = 0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) {
      const i = next++;
      await task(i);
      ran++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ran;
}

export async function runFuzz(options = {}) {
  const seed = options.seed ?? 1;
  const httpCount = options.http ?? 10_000;
  const wsCount = options.ws ?? 1000;
  const concurrency = options.concurrency ?? 8;
  const deadline = Date.now() + (options.timeLimitS ?? 600) * 1000;
  const log = options.log ?? (() => undefined);
  const { startSimulator } = await import(pathToFileURL(join(ROOT, 'dist/sim/index.js')).href);
  const dir = mkdtempSync(join(tmpdir(), 'fleetgraph-fuzz-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  const sim = await startSimulator({ port: 0, host: '127.0.0.1', scenario: options.scenario ?? 'mini', kubeconfigOut: kubeconfig, churnPerMinute: 0 });
  let gw;
  try {
    gw = await startGateway(kubeconfig);
  } catch (error) {
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const report = {
    seed, http: { sent: 0, malformed: 0, status: {}, status5xx: 0, internal: 0, transportErrors: 0 },
    ws: { sent: 0, outcomes: {}, internal: 0, closed4500: 0, otherCloses: {} },
    gatewayCrashed: false, gatewayErrorLines: 0, gatewayErrorSamples: [], heap: {}, durationS: 0,
  };
  const started = Date.now();
  try {
    const introspection = await send(gw.url, { body: JSON.stringify({ query: getIntrospectionQuery() }), type: 'application/json' });
    const schema = buildClientSchema(JSON.parse(introspection.text).data);
    // Warm up (JIT, informers), then the cold heap figure after a full GC.
    for (let i = 0; i < 50; i++) await send(gw.url, { body: JSON.stringify({ query: '{ clusters { totalCount edges { node { name } } } }' }), type: 'application/json' });
    report.heap.coldBytes = await gw.cdp.heapAfterGc();
    const httpRandom = new Random(seed);
    const httpGen = new DocumentGenerator(schema, httpRandom);
    // Each request's inputs are drawn in order from one stream, before it is sent: the documents depend on
    // the seed alone, whatever the timings.
    const httpInputs = () => {
      if (httpRandom.chance(0.3)) return { req: malformed(httpRandom, httpGen), malformed: true };
      const kind = httpRandom.chance(0.8) ? 'query' : httpRandom.chance(0.5) ? 'mutation' : 'subscription';
      const doc = httpGen.generate(kind);
      return { req: { body: JSON.stringify(doc), type: 'application/json' }, malformed: false };
    };
    const oneHttp = async () => {
      const { req, malformed: bad } = httpInputs();
      const res = await send(gw.url, req);
      report.http.sent++;
      if (bad) report.http.malformed++;
      report.http.status[res.status] = (report.http.status[res.status] ?? 0) + 1;
      if (res.status >= 500) report.http.status5xx++;
      if (res.status < 0) report.http.transportErrors++;
      report.http.internal += codesIn(res.text).filter((c) => c === 'INTERNAL').length;
      if (report.http.sent % 1000 === 0) log(`http ${report.http.sent}/${httpCount}`);
    };
    // The first tenth of the HTTP requests (at most 1,000) fills the bounded caches (documents, costs, TTL
    // lists, statistics names); the heap baseline is taken after them, so that what grows after it is what
    // the remaining 90 % (and the WebSocket phase) leave behind. The cold figure is reported beside it.
    const warm = Math.min(1000, Math.floor(httpCount / 10));
    await pool(warm, concurrency, deadline, oneHttp);
    report.heap.startBytes = await gw.cdp.heapAfterGc();
    log(`heap after GC: ${(report.heap.coldBytes / 1e6).toFixed(1)} MB cold, ${(report.heap.startBytes / 1e6).toFixed(1)} MB after ${warm} fuzz requests`);
    await pool(httpCount - warm, concurrency, deadline, oneHttp);

    const wsRandom = new Random(seed + 1);
    const wsGen = new DocumentGenerator(schema, wsRandom);
    const sockets = [];
    for (let i = 0; i < 10; i++) sockets.push(await openWs(gw.url));
    await pool(wsCount, sockets.length * 4, deadline, async (i) => {
      let s = sockets[i % sockets.length];
      if (s.closeCode !== undefined) {
        report.ws.otherCloses[s.closeCode] = (report.ws.otherCloses[s.closeCode] ?? 0) + 1;
        s = sockets[i % sockets.length] = await openWs(gw.url);
      }
      let payload;
      const r = wsRandom.int(10);
      if (r === 0) payload = `{"query":"subscription($c: String) { podChanged(cluster: $c) { type } }","variables":{"c":${deepJson(wsRandom.pick([100, 100_000]))}}}`;
      else if (r === 1) payload = JSON.stringify({ query: `{ ${'__typename '.repeat(wsRandom.pick([100, 20_000]))}}` });
      else {
        const kind = wsRandom.chance(0.5) ? 'subscription' : wsRandom.chance(0.8) ? 'query' : 'mutation';
        payload = JSON.stringify(wsGen.generate(kind));
      }
      const out = await wsOperation(s, `op${i}`, payload);
      report.ws.sent++;
      report.ws.outcomes[out.how] = (report.ws.outcomes[out.how] ?? 0) + 1;
      report.ws.internal += out.codes.filter((c) => c === 'INTERNAL').length;
      if (out.how === 'closed 4500') report.ws.closed4500++;
      if (report.ws.sent % 250 === 0) log(`ws ${report.ws.sent}/${wsCount}`);
    });
    for (const s of sockets) {
      if (s.closeCode === 4500) report.ws.closed4500++;
      s.socket.close(1000);
    }
    await new Promise((r) => setTimeout(r, 1000)); // let the gateway let go of the sockets
    report.heap.endBytes = await gw.cdp.heapAfterGc();
    report.heap.growth = report.heap.endBytes / report.heap.startBytes - 1;
    report.heap.growthFromCold = report.heap.endBytes / report.heap.coldBytes - 1;
  } finally {
    report.durationS = Math.round((Date.now() - started) / 100) / 10;
    report.gatewayCrashed = gw.exited !== undefined;
    report.gatewayErrorLines = gw.errorLines;
    report.gatewayErrorSamples = gw.samples;
    gw.cdp?.close();
    gw.child.kill('SIGTERM');
    await new Promise((r) => (gw.exited ? r() : gw.child.once('exit', r)));
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  report.ok = report.http.status5xx === 0 && report.http.internal === 0 && report.ws.internal === 0 && report.ws.closed4500 === 0
    && !report.gatewayCrashed && (report.heap.growth === undefined || report.heap.growth <= 0.2);
  return report;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const report = await runFuzz({
    seed: arg('seed', 1), http: arg('http', 10_000), ws: arg('ws', 1000), concurrency: arg('concurrency', 8), timeLimitS: arg('time-limit', 600),
    log: (m) => console.error(m),
  });
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.ok ? 0 : 1);
}
