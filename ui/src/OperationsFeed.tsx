import { useEffect, useState, useSyncExternalStore } from 'react';
import { onSocketState, request, subscribe } from './api';
import { OperationChangedSubscription, OperationsQuery } from './documents';
import { time } from './format';
import { OperationView } from './OperationView';
import { onOperations, operation, operationsVersion, rememberAll, startedHere, type Operation } from './operations';

const PAGE = 20;

/**
 * The Operations feed: the newest Operations read once from `operations`, then kept current by the
 * operationChanged subscription on the dashboard's one graphql-ws connection (each Operation the user may see,
 * when it is created and each time it moves). Events are queued and applied once per animation frame, as the
 * fleet store does: one React render per frame whatever the rate. The list is read again after a RESYNC (events
 * were dropped) and after the connection comes back (events sent meanwhile were missed); it is never polled.
 */
export function OperationsFeed() {
  const [ids, setIds] = useState<string[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useSyncExternalStore(onOperations, operationsVersion);
  useEffect(() => {
    let live = true;
    /** Feed events waiting for the next frame; held back while the list is being read. */
    let pending: Array<{ type: string; operation: Operation }> = [];
    /** The ids listed (the page read, then each one ADDED since), newest first. */
    let listed: string[] = [];
    let loading = true;
    let frame = 0;
    let fallback: ReturnType<typeof setTimeout> | undefined;
    let reloadTimer: ReturnType<typeof setTimeout> | undefined;

    const flush = () => {
      cancelAnimationFrame(frame);
      clearTimeout(fallback);
      frame = 0;
      fallback = undefined;
      if (!live || loading || pending.length === 0) return;
      const batch = pending;
      pending = [];
      rememberAll(batch.map((e) => e.operation));
      const fresh = batch.filter((e) => e.type === 'ADDED' && !listed.includes(e.operation.id)).map((e) => e.operation.id);
      if (fresh.length) {
        // Newest first, bounded: only the newest PAGE are shown.
        listed = [...new Set([...fresh.reverse(), ...listed])].slice(0, PAGE * 5);
        setIds(listed);
        // An ADDED is an Operation the record did not hold when the list was read: counted as `operations` counts.
        setTotal((t) => (t == null ? t : t + fresh.length));
      }
    };
    const schedule = () => {
      if (frame || fallback) return;
      frame = requestAnimationFrame(flush);
      // A hidden tab gets no animation frames: apply at least every second there.
      fallback = setTimeout(flush, 1000);
    };
    const load = async () => {
      loading = true;
      try {
        const { data } = await request(OperationsQuery, { first: PAGE });
        if (!live) return;
        rememberAll(data.operations.edges.map((e) => e.node));
        listed = data.operations.edges.map((e) => e.node.id);
        setIds(listed);
        setTotal(data.operations.totalCount);
        setError(null);
      } catch (err) {
        if (live) setError(String(err));
      } finally {
        loading = false;
        // Events that arrived while the list was read are newer than it (or the same): applied after it.
        schedule();
      }
    };
    const reload = () => {
      clearTimeout(reloadTimer);
      reloadTimer = setTimeout(() => void load(), 250);
    };
    // Subscribed first, so no move falls between the read and the stream.
    const stop = subscribe(OperationChangedSubscription, undefined, {
      next: ({ operationChanged: e }) => {
        if (e.type === 'RESYNC' || !e.operation) return reload();
        pending.push({ type: e.type, operation: e.operation });
        schedule();
      },
      error: (err) => setError(err.message),
    });
    let wasClosed = false;
    const off = onSocketState((state) => {
      if (state === 'connected' && wasClosed) reload();
      wasClosed = state !== 'connected';
    });
    void load();
    return () => {
      live = false;
      stop();
      off();
      cancelAnimationFrame(frame);
      clearTimeout(fallback);
      clearTimeout(reloadTimer);
    };
  }, []);
  const mine = startedHere().map((o) => o.id);
  const list = [...new Set([...mine, ...ids])]
    .map((id) => operation(id)!)
    .filter(Boolean)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
    .slice(0, PAGE);
  return (
    <section id="operations" aria-labelledby="operations-title" className="panel">
      <h2 id="operations-title">Operations</h2>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
      <p className="muted">{total == null ? 'Loading…' : `${total} in the gateway's record; the newest ${list.length} below, live.`}</p>
      <div className="ops-layout">
        <ul className="ops" aria-label="Newest Operations">
          {list.map((op) => (
            <li key={op.id} data-operation={op.id} data-phase={op.phase}>
              <button type="button" className="op-btn" aria-pressed={selected === op.id} onClick={() => setSelected(op.id)}>
                <span className={`phase phase-${op.phase}`}>{op.phase}</span>
                <span className="op-title">{op.type} {op.target.namespace ? `${op.target.namespace}/` : ''}{op.target.name}</span>
                <span className="muted">{op.cluster ?? 'karmada'} · {time(op.createdAt)} · {op.requestedBy}</span>
              </button>
            </li>
          ))}
          {list.length === 0 && total != null ? <li className="muted">No Operations yet: cordon a node or scale a workload.</li> : null}
        </ul>
        <div className="op-detail" aria-live="polite">
          {selected ? <OperationView id={selected} /> : <p className="muted">Pick an Operation to see its steps.</p>}
        </div>
      </div>
    </section>
  );
}
