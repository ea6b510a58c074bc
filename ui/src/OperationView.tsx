import { useEffect, useSyncExternalStore } from 'react';
import { onOperations, operation, operationsVersion, watch } from './operations';
import { time, TERMINAL } from './format';

/** An Operation step by step, live until it ends. */
export function OperationView({ id, compact = false }: { id: string; compact?: boolean }) {
  useSyncExternalStore(onOperations, operationsVersion);
  const op = operation(id);
  useEffect(() => watch(id), [id]);
  if (!op) return <p className="muted">Operation {id}…</p>;
  const done = TERMINAL.has(op.phase);
  return (
    <section className="operation" data-operation-id={op.id} data-phase={op.phase} aria-label={`Operation ${op.type} ${op.target.name}`}>
      <p className="op-head">
        <span className={`phase phase-${op.phase}`} role="status" aria-live="polite">{op.phase}</span>{' '}
        <strong>{op.type}</strong> {op.target.kind} {op.target.namespace ? `${op.target.namespace}/` : ''}{op.target.name}
        {op.cluster ? <> on {op.cluster}</> : null}
      </p>
      {op.error ? <p className="error-text">{op.reason ? `${op.reason}: ` : ''}{op.error}</p> : null}
      {!compact || !done ? (
        <ol className="steps">
          {op.steps.map((s, i) => (
            <li key={`${i}-${s.name}`} data-step-phase={s.phase}>
              <span className={`phase phase-${s.phase}`}>{s.phase}</span> {s.name}
              {s.message ? <span className="muted"> — {s.message}</span> : null}
              {s.finishedAt ? <span className="muted"> ({time(s.finishedAt)})</span> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {!compact ? (
        <dl className="kv">
          <dt>Requested by</dt><dd>{op.requestedBy}</dd>
          <dt>Created</dt><dd>{time(op.createdAt)}</dd>
          <dt>Completed</dt><dd>{time(op.completedAt)}</dd>
          {op.parameters.map((p) => (
            <div key={p.key} className="kv-row"><dt>{p.key}</dt><dd>{p.value}</dd></div>
          ))}
        </dl>
      ) : null}
    </section>
  );
}
