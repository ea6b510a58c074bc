/**
 * A bounded run of the project's fuzzer (scripts/fuzz.mjs; `npm run fuzz` for the full 10,000 + 1,000):
 * 300 generated and malformed requests over HTTP and 50 operations over WebSocket against a gateway process
 * on a simulator. No client input may give an HTTP 5xx, an INTERNAL code, a socket closed with 4500 or a
 * crash. (The heap figure is reported by the full run; a run this short says nothing about it.)
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs project script without type declarations
import { runFuzz } from '../scripts/fuzz.mjs';

interface FuzzReport {
  http: { sent: number; status5xx: number; internal: number; transportErrors: number };
  ws: { sent: number; internal: number; closed4500: number };
  gatewayCrashed: boolean;
}

describe('fuzz (bounded)', () => {
  it('answers 300 HTTP requests and 50 WebSocket operations without a 5xx, INTERNAL, 4500 or crash', async () => {
    const report = (await runFuzz({ seed: 7, http: 300, ws: 50, concurrency: 4, timeLimitS: 25 })) as FuzzReport;
    expect(report.http.sent).toBe(300);
    expect(report.ws.sent).toBe(50);
    expect({ status5xx: report.http.status5xx, httpInternal: report.http.internal, transportErrors: report.http.transportErrors,
      wsInternal: report.ws.internal, closed4500: report.ws.closed4500, crashed: report.gatewayCrashed })
      .toEqual({ status5xx: 0, httpInternal: 0, transportErrors: 0, wsInternal: 0, closed4500: 0, crashed: false });
  }, 90_000);
});
