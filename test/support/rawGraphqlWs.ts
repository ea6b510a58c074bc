/**
 * A raw graphql-transport-ws client for tests that must send what a well-behaved client library would not
 * (a variables text nested 100,000 deep, which JSON.stringify cannot even produce) and see every message
 * and the close code as they are. Every wait is bounded.
 */
import WebSocket from 'ws';

export interface OperationOutcome {
  /** `next` payloads, in order. */
  next: Array<{ data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, any> }> }>;
  /** The `error` message's payload, if the operation ended with one. */
  error?: Array<{ message: string; extensions?: Record<string, any> }>;
  completed: boolean;
}

export interface RawWsClient {
  /** Close code once closed, else undefined. */
  readonly closeCode: number | undefined;
  /** Starts an operation; `payloadJson` is sent verbatim when given (else JSON of query/variables/operationName). */
  start(id: string, payload: { query: string; variables?: unknown; operationName?: string } | { raw: string }): void;
  /** Resolves once `predicate` holds for the operation's outcome; rejects after timeoutMs. */
  waitFor(id: string, predicate: (o: OperationOutcome) => boolean, timeoutMs?: number): Promise<OperationOutcome>;
  /** Runs one operation to its end (error or complete). */
  run(id: string, payload: { query: string; variables?: unknown; operationName?: string } | { raw: string }, timeoutMs?: number): Promise<OperationOutcome>;
  stop(id: string): void;
  close(): Promise<void>;
}

export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** Opens a socket, sends connection_init and waits for the ack. */
export async function openRawClient(httpUrl: string, options: { headers?: Record<string, string>; connectionParams?: Record<string, unknown> } = {}): Promise<RawWsClient> {
  const socket = new WebSocket(wsUrl(httpUrl), 'graphql-transport-ws', { headers: options.headers ?? {} });
  const outcomes = new Map<string, OperationOutcome>();
  let closeCode: number | undefined;
  const outcome = (id: string) => {
    let o = outcomes.get(id);
    if (!o) outcomes.set(id, (o = { next: [], completed: false }));
    return o;
  };
  socket.on('close', (code) => { closeCode = code; });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connection_ack within 10 s')), 10_000);
    socket.once('error', (e) => { clearTimeout(timer); reject(e); });
    socket.once('unexpected-response', (_req, res) => { clearTimeout(timer); reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })); });
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: options.connectionParams ?? {} })));
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; id?: string; payload?: any };
      if (m.type === 'connection_ack') { clearTimeout(timer); resolve(); }
      else if (m.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      else if (m.type === 'next') outcome(m.id!).next.push(m.payload);
      else if (m.type === 'error') outcome(m.id!).error = m.payload;
      else if (m.type === 'complete') outcome(m.id!).completed = true;
    });
    socket.once('close', (code) => { clearTimeout(timer); reject(new Error(`closed ${code} before ack`)); });
  });
  const client: RawWsClient = {
    get closeCode() { return closeCode; },
    start(id, payload) {
      outcome(id);
      const body = 'raw' in payload ? payload.raw : JSON.stringify(payload);
      socket.send(`{"id":${JSON.stringify(id)},"type":"subscribe","payload":${body}}`);
    },
    async waitFor(id, predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const o = outcome(id);
        if (predicate(o)) return o;
        if (closeCode !== undefined) throw new Error(`socket closed ${closeCode} while waiting for ${id}: ${JSON.stringify(o)}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${id}: ${JSON.stringify(o)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async run(id, payload, timeoutMs) {
      client.start(id, payload);
      return client.waitFor(id, (o) => o.completed || o.error !== undefined, timeoutMs);
    },
    stop(id) {
      socket.send(JSON.stringify({ id, type: 'complete' }));
    },
    close() {
      return new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close(1000);
      });
    },
  };
  return client;
}
