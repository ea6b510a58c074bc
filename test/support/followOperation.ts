/**
 * Follows an Operation through `operationProgress` over graphql-ws: every payload until the subscription
 * completes (after a terminal phase), bounded by a deadline that names the phases seen so far.
 */
import type { Client } from 'graphql-ws';

/** Fields of Operation read by default; `error` and step messages included. */
const SELECTION = 'id type phase error steps { name phase message }';

export function followOperation(client: Client, id: string, selection = SELECTION, timeoutMs = 60_000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const seen: any[] = [];
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`operationProgress(${id}) did not complete within ${timeoutMs} ms; saw ${JSON.stringify(seen.map((s) => s.phase))}`));
    }, timeoutMs);
    const stop = client.subscribe<{ operationProgress: any }>(
      { query: `subscription($id: ID!) { operationProgress(id: $id) { ${selection} } }`, variables: { id } },
      {
        next: (msg) => {
          if (msg.errors) {
            clearTimeout(timer);
            reject(new Error(JSON.stringify(msg.errors)));
            return;
          }
          seen.push(msg.data!.operationProgress);
        },
        error: (err) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        },
        complete: () => {
          clearTimeout(timer);
          resolve(seen);
        },
      },
    );
  });
}
