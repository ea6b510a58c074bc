/**
 * graphql-ws client helpers for the subscription e2e tests: a real graphql-ws client (Node 20 has no global
 * WebSocket, so `webSocketImpl` comes from ws) against a running gateway, and a recorder that collects a
 * subscription's events and lets a test wait for a condition (always bounded by a deadline).
 */
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';

/** `http://host:port/graphql` → `ws://host:port/graphql`. */
export function wsUrlOf(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

export interface WsClientOptions {
  /** Sent as `connection_init` payload `{ authorization }`. */
  authorization?: string;
  /** Called when the socket closes (code, reason). */
  onClosed?: (code: number, reason: string) => void;
  /** More graphql-ws client options. */
  extra?: Partial<ClientOptions>;
}

export function openClient(httpUrl: string, options: WsClientOptions = {}): Client {
  return createClient({
    url: wsUrlOf(httpUrl),
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: options.authorization ? { authorization: options.authorization } : {},
    on: {
      closed: (event) => {
        const e = event as { code?: number; reason?: string };
        options.onClosed?.(e.code ?? 0, String(e.reason ?? ''));
      },
    },
    // A test must see failures, not have them retried away; closes are reported through onClosed.
    shouldRetry: () => false,
    onNonLazyError: () => undefined,
    ...options.extra,
  });
}

export interface Recording<T = any> {
  events: T[];
  errors: unknown[];
  completed: boolean;
  /** Resolves when `predicate(events)` holds; rejects after `timeoutMs` with what was received. */
  waitFor(predicate: (events: T[]) => boolean, timeoutMs?: number, what?: string): Promise<T[]>;
  /** Resolves when the subscription completed or errored; rejects after `timeoutMs`. */
  waitForEnd(timeoutMs?: number): Promise<void>;
  /** Stops the subscription. */
  stop(): void;
}

export function record<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Recording<T> {
  const rec: Recording<T> = {
    events: [],
    errors: [],
    completed: false,
    waitFor: (predicate, timeoutMs = 20_000, what = 'condition') => poll(() => (predicate(rec.events) ? rec.events : undefined), timeoutMs,
      () => `${what}: timed out with ${rec.events.length} events ${JSON.stringify(rec.events.slice(-3))}, errors ${JSON.stringify(rec.errors)}`),
    waitForEnd: (timeoutMs = 20_000) => poll(() => (rec.completed || rec.errors.length ? true : undefined), timeoutMs, () => 'subscription did not end').then(() => undefined),
    stop: () => unsubscribe(),
  };
  const unsubscribe = client.subscribe<T>({ query, ...(variables ? { variables } : {}) }, {
    next: (value) => {
      if (value.errors?.length) rec.errors.push(...value.errors);
      if (value.data) rec.events.push(value.data as T);
    },
    error: (error) => {
      // graphql-ws reports an operation's errors as an array, a closed socket as a CloseEvent.
      if (Array.isArray(error)) rec.errors.push(...error);
      else if (error instanceof Error) rec.errors.push({ message: error.message });
      else {
        const e = error as { code?: number; reason?: string };
        rec.errors.push({ message: `socket closed ${e.code} ${e.reason}`, closeCode: e.code, reason: e.reason });
      }
    },
    complete: () => {
      rec.completed = true;
    },
  });
  return rec;
}

/** Polls `check` every 20 ms until it returns a value, or rejects after `timeoutMs`. */
export function poll<V>(check: () => V | undefined, timeoutMs: number, describe: () => string): Promise<V> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const tick = () => {
      let v: V | undefined;
      try {
        v = check();
      } catch (e) {
        reject(e);
        return;
      }
      if (v !== undefined) return resolve(v);
      if (Date.now() > deadline) return reject(new Error(describe()));
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** Resolves after `ms` (to let events that should NOT arrive have their chance). */
export function settle(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Resolves once `count()` (a gateway's open subscriptions) equals `n`: subscriptions are routed only once
 * the server has processed their subscribe message, so a test waits for that before making changes.
 */
export function waitForOpen(count: () => number | Promise<number>, n: number, timeoutMs = 20_000): Promise<void> {
  let last = -1;
  let pending = false;
  return poll(() => {
    if (!pending) {
      pending = true;
      void Promise.resolve(count()).then((c) => {
        last = c;
        pending = false;
      });
    }
    return last === n ? true : undefined;
  }, timeoutMs, () => `expected ${n} open subscriptions, saw ${last}`).then(() => undefined);
}

/** Open subscriptions of a gateway, read from its /metrics (for a gateway in another process). */
export async function openSubscriptionsOf(graphqlUrl: string): Promise<number> {
  const text = await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics')).then((r) => r.text());
  const m = text.match(/^fleetgraph_subscriptions_active (\d+)$/m);
  return m ? Number(m[1]) : -1;
}

/** Awaits `check` every 100 ms until it gives a value, or rejects after `timeoutMs` naming `what`. */
export async function pollAsync<V>(check: () => Promise<V | undefined>, timeoutMs: number, what: string): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
