import { useEffect, useLayoutEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { onSocketState, request, RequestError, storedToken, storeToken, type SocketState } from './api';
import { ProbeQuery } from './documents';
import { FleetStore } from './fleetStore';
import { OperationsFeed } from './OperationsFeed';
import { Overview } from './Overview';
import { Scheduling } from './Scheduling';
import { SignIn } from './SignIn';

type Auth = { state: 'probing' } | { state: 'in' } | { state: 'out'; error: string | null } | { state: 'down'; error: string };

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'probing' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    request(ProbeQuery)
      .then(() => live && setAuth({ state: 'in' }))
      .catch((err: unknown) => {
        if (!live) return;
        if (err instanceof RequestError && err.code === 'UNAUTHENTICATED') {
          setAuth({ state: 'out', error: storedToken() ? 'The token was refused.' : null });
        } else setAuth({ state: 'down', error: String(err instanceof Error ? err.message : err) });
      });
    return () => {
      live = false;
    };
  }, [attempt]);
  // The socket refused the token (it expired, or was revoked): sign in again.
  useEffect(() => onSocketState((state) => {
    if (state === 'unauthorized') setAuth({ state: 'out', error: 'The gateway no longer accepts this token: sign in again.' });
  }), []);
  const signedIn = !!storedToken();
  return (
    <>
      <header className="top">
        <h1>fleetgraph <span className="muted">fleet dashboard</span></h1>
        <nav aria-label="Sections">
          <a href="#overview">Overview</a>
          <a href="#scheduling">Scheduling</a>
          <a href="#operations">Operations</a>
          <a href="/graphql">GraphiQL</a>
        </nav>
        {signedIn ? (
          <button type="button" className="link" onClick={() => { storeToken(null); setAttempt((a) => a + 1); }}>Sign out</button>
        ) : null}
      </header>
      <main>
        {auth.state === 'probing' ? <p className="muted" role="status">Connecting…</p> : null}
        {auth.state === 'down' ? <p className="error-text" role="alert">The gateway did not answer: {auth.error}</p> : null}
        {auth.state === 'out' ? <SignIn error={auth.error} onToken={(t) => { storeToken(t); setAttempt((a) => a + 1); }} /> : null}
        {auth.state === 'in' ? <Dashboard /> : null}
      </main>
      <footer className="foot muted">Live over one graphql-ws connection; updates applied once per frame.</footer>
    </>
  );
}

function Dashboard() {
  const store = useMemo(() => new FleetStore(), []);
  useEffect(() => {
    store.start();
    (window as unknown as { __fleetStore?: FleetStore }).__fleetStore = store;
    return () => store.stop();
  }, [store]);
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot);
  // The work a frame cost, store and React together (bench/ui-dashboard.mjs reads it).
  useLayoutEffect(() => store.committed(), [snap, store]);
  const [socket, setSocket] = useState<SocketState | 'connecting'>('connecting');
  useEffect(() => onSocketState(setSocket), []);
  const f = snap.fleet;
  return (
    <>
      <section className="summary" aria-label="Fleet totals" data-status={snap.status}>
        <span className={`live live-${socket}`} role="status">{socket === 'connected' ? 'Live' : socket === 'closed' ? 'Reconnecting…' : socket === 'unauthorized' ? 'Signed out' : 'Connecting…'}</span>
        {f ? (
          <>
            <span data-fleet="clusters">{f.clusters.ready}/{f.clusters.total} clusters ready</span>
            <span data-fleet="nodes">{f.nodes.ready}/{f.nodes.total} nodes ready · {f.nodes.cordoned} cordoned</span>
            <span data-fleet="pods">{f.pods.total} pods</span>
          </>
        ) : null}
        {snap.error ? <span className="error-text" role="alert">{snap.error.code ?? 'ERROR'}: {snap.error.message}</span> : null}
      </section>
      {snap.status === 'loading' ? <p className="muted" role="status">Loading the fleet…</p> : null}
      <Overview clusters={snap.clusters} />
      <Scheduling />
      <OperationsFeed />
    </>
  );
}
