/**
 * Ends a long-lived connection when its credential expires (issue 12: a WebSocket is closed with 4403 when
 * its token expires). Node's timers overflow past 2^31-1 ms (about 24.8 days): a later expiry is reached in
 * steps, so a year-long token never fires at once.
 */

/** graphql-ws' "Forbidden" close code, sent when the token of an open socket expires. */
export const EXPIRED_CLOSE_CODE = 4403;

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `onExpired` once at `expiresAt` (ms since the epoch); nothing when it is undefined. Returns the
 * cancel function (call it when the connection closes first).
 */
export function onCredentialExpiry(expiresAt: number | undefined, onExpired: () => void, now: () => number = Date.now): () => void {
  if (expiresAt === undefined) return () => {};
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = (): void => {
    if (cancelled) return;
    const left = expiresAt - now();
    if (left <= 0) {
      onExpired();
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    // The connection, not this timer, keeps the process alive.
    timer.unref();
  };
  arm();
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}
