/**
 * What the data layer tells whoever observes it (the gateway's /metrics and, with `--otel-endpoint`, its
 * traces): each upstream call with its outcome, each watch re-opened and each relist. An interface the fleet,
 * clients and informers call, so that they import no metrics or tracing library; src/server wires an
 * implementation in (src/server/metrics.ts, src/server/tracing.ts).
 */

/** Ends one upstream call with its outcome: the HTTP status as text, `timeout`, or `error` (no answer). */
export type UpstreamCallEnd = (code: string) => void;

export interface FleetSignals {
  /**
   * An upstream call starts now (a GET, list page, watch, log read, or a write of an Operation); the returned
   * function is called once when it ends. A watch ends when its stream is open (or refused), not when it closes.
   */
  upstreamCall(cluster: string, verb: string, kind: string): UpstreamCallEnd;
  /** An informer re-opened its watch (after a clean close, a dropped stream or a failure), not the first open. */
  watchRestarted(cluster: string, kind: string): void;
  /** An informer listed its kind again (410 Gone, an expired continue token, a forced relist), not the first list. */
  relisted(cluster: string, kind: string): void;
}

const END_NOTHING: UpstreamCallEnd = () => undefined;

/** Observes nothing (the default of every component). */
export const NO_FLEET_SIGNALS: FleetSignals = {
  upstreamCall: () => END_NOTHING,
  watchRestarted: () => undefined,
  relisted: () => undefined,
};

/** Several observers as one (metrics and traces). */
export function fleetSignalsOf(...all: Array<FleetSignals | undefined>): FleetSignals {
  const list = all.filter((s): s is FleetSignals => s !== undefined);
  if (list.length === 0) return NO_FLEET_SIGNALS;
  if (list.length === 1) return list[0]!;
  return {
    upstreamCall(cluster, verb, kind) {
      const ends = list.map((s) => s.upstreamCall(cluster, verb, kind));
      return (code) => {
        for (const end of ends) end(code);
      };
    },
    watchRestarted: (cluster, kind) => list.forEach((s) => s.watchRestarted(cluster, kind)),
    relisted: (cluster, kind) => list.forEach((s) => s.relisted(cluster, kind)),
  };
}

/**
 * The `code` label of a failed call: the status of an answer (an UpstreamError's `status`, a client-node
 * ApiException's `code`, or a Watch error's `statusCode`), `timeout` for calls given up, else `error`.
 */
export function upstreamCodeOf(err: unknown): string {
  const e = err as { status?: unknown; code?: unknown; statusCode?: unknown; timedOut?: unknown } | null;
  if (e?.timedOut === true) return 'timeout';
  for (const v of [e?.status, e?.statusCode, e?.code]) if (typeof v === 'number' && v > 0) return String(v);
  return 'error';
}

/** Splits a ClusterClient `what` (`list pods`, `watch nodes`, `probe`) into verb and kind. */
export function verbAndKind(what: string): [verb: string, kind: string] {
  const space = what.indexOf(' ');
  return space < 0 ? [what, ''] : [what.slice(0, space), what.slice(space + 1)];
}
