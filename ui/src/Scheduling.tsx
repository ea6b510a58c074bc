import { useEffect, useId, useState, type ChangeEvent } from 'react';
import { request, RequestError, subscribe } from './api';
import { may } from './can';
import { ScaleMutation, WorkloadChangedSubscription, WorkloadDetailQuery, WorkloadsQuery } from './documents';
import type { DashboardWorkloadsQuery, WorkloadDetailFragment, WorkloadKind, WorkloadKindInput } from './gql/graphql';
import { OperationView } from './OperationView';
import { remember, watch } from './operations';

type WorkloadItem = DashboardWorkloadsQuery['workloads']['edges'][number]['node'];

const SCALABLE: Partial<Record<WorkloadKind, WorkloadKindInput>> = { DEPLOYMENT: 'DEPLOYMENT', STATEFUL_SET: 'STATEFULSET' };
const keyOf = (w: { workloadKind: string; namespace?: string | null; name: string }) => `${w.workloadKind}/${w.namespace ?? ''}/${w.name}`;

/** A workload's scheduling: its policy, the clusters it went to, replicas and weights; and scaling it. */
export function Scheduling() {
  const [items, setItems] = useState<WorkloadItem[]>([]);
  const [selected, setSelected] = useState('');
  const [error, setError] = useState<string | null>(null);
  const selectId = useId();
  useEffect(() => {
    request(WorkloadsQuery)
      .then(({ data }) => {
        const list = data.workloads.edges.map((e) => e.node);
        setItems(list);
        setSelected((s) => s || (list[0] ? keyOf(list[0]) : ''));
      })
      .catch((err: unknown) => setError(err instanceof RequestError ? `${err.code ?? 'ERROR'}: ${err.message}` : String(err)));
  }, []);
  const item = items.find((w) => keyOf(w) === selected);
  return (
    <section id="scheduling" aria-labelledby="scheduling-title" className="panel">
      <h2 id="scheduling-title">Scheduling</h2>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
      <label htmlFor={selectId}>Workload</label>{' '}
      <select id={selectId} value={selected} onChange={(e: ChangeEvent<HTMLSelectElement>) => setSelected((e.target as HTMLSelectElement).value)} data-workload-select="">
        {items.map((w) => (
          <option key={keyOf(w)} value={keyOf(w)}>{w.namespace}/{w.name} ({w.kind}, {w.replicas.ready}/{w.replicas.desired ?? '–'} ready)</option>
        ))}
      </select>
      {item ? <WorkloadDetailView key={selected} kind={item.workloadKind} namespace={item.namespace ?? ''} name={item.name} /> : null}
    </section>
  );
}

function WorkloadDetailView({ kind, namespace, name }: { kind: WorkloadKind; namespace: string; name: string }) {
  const [w, setW] = useState<WorkloadDetailFragment | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    request(WorkloadDetailQuery, { kind, namespace, name })
      .then(({ data }) => live && setW((old) => old ?? data.workload ?? null))
      .catch((err: unknown) => live && setError(String(err)));
    const stop = subscribe(WorkloadChangedSubscription, { kind, namespace, name }, {
      next: ({ workloadChanged }) => {
        if (live && workloadChanged.workload) setW(workloadChanged.workload);
      },
    });
    return () => {
      live = false;
      stop();
    };
  }, [kind, namespace, name]);
  if (error) return <p className="error-text" role="alert">{error}</p>;
  if (!w) return <p className="muted">Loading {namespace}/{name}…</p>;
  const policy = w.propagationPolicy ?? w.clusterPropagationPolicy;
  const rs = policy?.placement.replicaScheduling;
  return (
    <div className="workload" data-workload={`${w.namespace}/${w.name}`}>
      <dl className="kv">
        <dt>Replicas</dt>
        <dd data-replicas-desired={w.replicas.desired ?? ''}>{w.replicas.ready} ready / {w.replicas.desired ?? '–'} desired ({w.replicas.available} available)</dd>
        <dt>Policy</dt>
        <dd data-policy="">{w.policy ? `${w.policy.kind} ${w.policy.namespace ? `${w.policy.namespace}/` : ''}${w.policy.name}` : 'none matched'}{policy ? ` (priority ${policy.priority})` : ''}</dd>
        <dt>Replica scheduling</dt>
        <dd>{rs ? `${rs.type}${rs.divisionPreference ? ` · ${rs.divisionPreference}` : ''}${rs.dynamicWeight ? ` · dynamic by ${rs.dynamicWeight}` : ''}` : 'duplicated (no replica scheduling)'}</dd>
        {policy?.placement.clusterAffinity ? (
          <div className="kv-row">
            <dt>Cluster affinity</dt>
            <dd>{[
              policy.placement.clusterAffinity.clusterNames.join(', '),
              policy.placement.clusterAffinity.providers.length ? `providers ${policy.placement.clusterAffinity.providers.join(', ')}` : '',
              policy.placement.clusterAffinity.regions.length ? `regions ${policy.placement.clusterAffinity.regions.join(', ')}` : '',
              policy.placement.clusterAffinity.labelSelector ?? '',
            ].filter(Boolean).join(' · ') || 'any cluster'}</dd>
          </div>
        ) : null}
        <dt>Overrides</dt>
        <dd>{w.overridePolicies.length ? w.overridePolicies.map((o) => o.name).join(', ') : 'none'}</dd>
      </dl>
      <div className="table-wrap" role="region" tabIndex={0} aria-label={`Placements of ${w.namespace}/${w.name}`}>
        <table>
          <caption>Placements of {w.namespace}/{w.name}</caption>
          <thead>
            <tr><th scope="col">Cluster</th><th scope="col">Scheduled</th><th scope="col">Ready</th><th scope="col">Weight</th><th scope="col">Health</th></tr>
          </thead>
          <tbody>
            {w.placements.map((p) => (
              <tr key={p.cluster} data-placement={p.cluster}>
                <th scope="row">{p.cluster}</th>
                <td data-scheduled={p.scheduledReplicas ?? ''}>{p.scheduledReplicas ?? '–'}</td>
                <td>{p.readyReplicas ?? '–'}</td>
                <td>{p.weight.kind === 'STATIC' ? `static ${p.weight.static ?? '–'}` : p.weight.kind === 'DYNAMIC' ? `dynamic (${p.weight.dynamicFactor ?? '–'})` : p.weight.kind.toLowerCase()}</td>
                <td>{p.health ?? '–'}{p.applied === false ? ' · not applied' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ScaleForm workload={w} />
    </div>
  );
}

function ScaleForm({ workload: w }: { workload: WorkloadDetailFragment }) {
  const kind = SCALABLE[w.workloadKind];
  const inputId = useId();
  const [replicas, setReplicas] = useState(String((w.replicas.desired ?? 1) + 1));
  const [opId, setOpId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!kind || !may('scale', w)) return null;
  async function scale(e: { preventDefault(): void }) {
    e.preventDefault();
    setError(null);
    const n = Number(replicas);
    if (!Number.isInteger(n) || n < 0) return setError('Replicas must be a whole number, 0 or more.');
    setBusy(true);
    try {
      const { data } = await request(ScaleMutation, { kind: kind!, namespace: w.namespace ?? '', name: w.name, replicas: n });
      remember(data.scaleWorkload, true);
      watch(data.scaleWorkload.id);
      setOpId(data.scaleWorkload.id);
    } catch (err) {
      setError(err instanceof RequestError ? `${err.code ?? 'ERROR'}: ${err.message}` : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="scale" onSubmit={(e: { preventDefault(): void }) => void scale(e)} aria-label={`Scale ${w.name}`}>
      <label htmlFor={inputId}>Replicas</label>{' '}
      <input id={inputId} type="number" min="0" max="1000" inputMode="numeric" value={replicas} onChange={(e: ChangeEvent<HTMLInputElement>) => setReplicas((e.target as HTMLInputElement).value)} />{' '}
      <button type="submit" disabled={busy}>Scale {w.name}</button>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
      {opId ? <OperationView id={opId} compact /> : null}
    </form>
  );
}
