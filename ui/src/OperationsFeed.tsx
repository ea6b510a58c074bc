import { useEffect, useState, useSyncExternalStore } from 'react';
import { request } from './api';
import { OperationsQuery } from './documents';
import { time, TERMINAL } from './format';
import { OperationView } from './OperationView';
import { onOperations, operation, operationsVersion, remember, startedHere, watch } from './operations';

/**
 * The Operations feed: the newest Operations (the schema has no subscription to the list itself, so the list
 * is re-read every 2 s), each running one followed live by operationProgress, and one Operation step by step.
 */
export function OperationsFeed() {
  const [ids, setIds] = useState<string[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useSyncExternalStore(onOperations, operationsVersion);
  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const { data } = await request(OperationsQuery, { first: 20 });
        if (!live) return;
        for (const { node } of data.operations.edges) {
          remember(node);
          if (!TERMINAL.has(node.phase)) watch(node.id);
        }
        setIds(data.operations.edges.map((e) => e.node.id));
        setTotal(data.operations.totalCount);
        setError(null);
      } catch (err) {
        if (live) setError(String(err));
      }
    };
    void load();
    const timer = setInterval(() => void load(), 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  const mine = startedHere().map((o) => o.id);
  const list = [...new Set([...mine, ...ids])]
    .map((id) => operation(id)!)
    .filter(Boolean)
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
    .slice(0, 20);
  return (
    <section id="operations" aria-labelledby="operations-title" className="panel">
      <h2 id="operations-title">Operations</h2>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
      <p className="muted">{total == null ? 'Loading…' : `${total} in the gateway's record; the newest ${list.length} below.`}</p>
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
