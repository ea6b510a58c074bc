import { memo, useState } from 'react';
import { request, RequestError } from './api';
import { may } from './can';
import { CordonMutation, DrainMutation, UncordonMutation } from './documents';
import { bytes, cores, percent } from './format';
import type { ClusterView, NodeView, Resource } from './fleetStore';
import { PHASE_LABEL, PHASES } from './fleetStore';
import { OperationView } from './OperationView';
import { remember, watch } from './operations';

/** One card per member cluster (`data-cluster`), its nodes as a grid (`data-node`, `data-cordoned`). */
export const Overview = memo(function Overview({ clusters }: { clusters: ClusterView[] }) {
  return (
    <section id="overview" aria-labelledby="overview-title" className="panel">
      <h2 id="overview-title">Fleet overview</h2>
      <div className="cluster-grid">
        {clusters.map((c) => <ClusterCard key={c.info.name} view={c} />)}
      </div>
      <p className="legend" aria-label="Pod phase colours">
        {PHASES.map((p) => (
          <span key={p}><span className={`sq sq-${p}`} aria-hidden="true" /> {PHASE_LABEL[p]}</span>
        ))}
      </p>
    </section>
  );
});

function Meter({ label, r, format }: { label: string; r: Resource; format: (n: number | null) => string }) {
  return (
    <div className="meter">
      <div className="meter-label">
        <span>{label}</span>
        <span>{format(r.requested)} req · {format(r.used)} used / {format(r.capacity)}</span>
      </div>
      <div className="bar" role="img" aria-label={`${label}: ${percent(r.requested, r.capacity)}% requested, ${r.used == null ? 'usage unknown' : `${percent(r.used, r.capacity)}% used`}`}>
        <span className="bar-req" style={{ width: `${percent(r.requested, r.capacity)}%` }} />
        <span className="bar-used" style={{ width: `${percent(r.used, r.capacity)}%` }} />
      </div>
    </div>
  );
}

const ClusterCard = memo(function ClusterCard({ view }: { view: ClusterView }) {
  const { info } = view;
  const [selected, setSelected] = useState<string | null>(null);
  const health = !info.reachable ? 'Unreachable' : info.ready ? 'Ready' : 'Not ready';
  const titleId = `cluster-${info.name}`;
  const selectedNode = view.nodes.find((n) => n.node.name === selected) ?? null;
  return (
    <article className="card" data-cluster={info.name} aria-labelledby={titleId}>
      <header className="card-head">
        <h3 id={titleId}>{info.name}</h3>
        <span className={`health health-${health.replace(' ', '-')}`} data-health={health}>{health}</span>
      </header>
      <p className="muted">{info.provider ?? 'no provider'} · {info.region ?? 'no region'}{info.reason && health !== 'Ready' ? ` · ${info.reason}` : ''}</p>
      <dl className="stats">
        <div><dt>Nodes ready</dt><dd data-stat="nodes-ready">{view.nodesReady}/{view.nodes.length}</dd></div>
        <div><dt>Cordoned</dt><dd data-stat="nodes-cordoned">{view.nodesCordoned}</dd></div>
        <div><dt>Pods</dt><dd data-stat="pods">{view.pods}</dd></div>
      </dl>
      <p className="phases">
        {PHASES.filter((p) => view.byPhase[p] > 0).map((p) => (
          <span key={p} className="chip" data-phase-count={p}><span className={`sq sq-${p}`} aria-hidden="true" /> {PHASE_LABEL[p]} {view.byPhase[p]}</span>
        ))}
        {view.unscheduled > 0 ? <span className="chip">unscheduled {view.unscheduled}</span> : null}
      </p>
      <Meter label="CPU (cores)" r={view.cpu} format={cores} />
      <Meter label="Memory" r={view.memory} format={bytes} />
      <h4 className="sr-only">Nodes of {info.name}</h4>
      <ul className="node-grid" aria-label={`Nodes of ${info.name}`}>
        {view.nodes.map((n) => (
          <NodeTile key={n.key} view={n} selected={n.node.name === selected} onSelect={setSelected} />
        ))}
      </ul>
      {selectedNode ? <NodePanel view={selectedNode} onClose={() => setSelected(null)} /> : null}
    </article>
  );
});

const MAX_SQUARES = 120;

const NodeTile = memo(function NodeTile({ view, selected, onSelect }: { view: NodeView; selected: boolean; onSelect: (name: string | null) => void }) {
  const n = view.node;
  const state = `${n.ready ? 'ready' : 'not ready'}${n.unschedulable ? ', cordoned' : ''}, ${view.pods.length} pods`;
  const shown = view.pods.length > MAX_SQUARES ? view.pods.slice(0, MAX_SQUARES) : view.pods;
  return (
    <li className={`node${n.unschedulable ? ' cordoned' : ''}${n.ready ? '' : ' notready'}`} data-node={n.name} data-cordoned={String(n.unschedulable)} data-ready={String(n.ready)} data-pods={view.pods.length}>
      <button type="button" className="node-btn" aria-pressed={selected} aria-label={`Node ${n.name}: ${state}`} onClick={() => onSelect(selected ? null : n.name)}>
        <span className="node-name">{n.name}</span>
        {n.unschedulable ? <span className="tag">cordoned</span> : null}
        <span className="pods" aria-hidden="true">
          {shown.map((p, i) => <span key={i} className={`sq sq-${p}`} />)}
          {view.pods.length > shown.length ? <span className="more">+{view.pods.length - shown.length}</span> : null}
        </span>
      </button>
    </li>
  );
});

function NodePanel({ view, onClose }: { view: NodeView; onClose: () => void }) {
  const n = view.node;
  const [opId, setOpId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDrain, setConfirmDrain] = useState(false);
  async function act(kind: 'cordon' | 'uncordon' | 'drain') {
    setBusy(true);
    setError(null);
    try {
      const vars = { cluster: n.cluster, name: n.name };
      const op =
        kind === 'cordon' ? (await request(CordonMutation, vars)).data.cordonNode
        : kind === 'uncordon' ? (await request(UncordonMutation, vars)).data.uncordonNode
        : (await request(DrainMutation, { ...vars, options: { deleteEmptyDirData: true } })).data.drainNode;
      remember(op, true);
      watch(op.id);
      setOpId(op.id);
    } catch (err) {
      setError(err instanceof RequestError ? `${err.code ?? 'ERROR'}: ${err.message}` : String(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="node-panel" aria-label={`Node ${n.name}`} data-node-panel={n.name}>
      <header className="card-head">
        <h4>Node {n.name}</h4>
        <button type="button" className="link" onClick={onClose}>Close</button>
      </header>
      <p className="muted">{n.ready ? 'Ready' : 'Not ready'} · {n.unschedulable ? 'cordoned' : 'schedulable'} · {view.pods.length} pods · {cores(n.capacity.cpuCores)} cores · {bytes(n.capacity.memoryBytes)}</p>
      <div className="actions">
        {!n.unschedulable && may('cordon', n) ? <button type="button" disabled={busy} aria-label={`Cordon ${n.name}`} onClick={() => void act('cordon')}>Cordon</button> : null}
        {n.unschedulable && may('uncordon', n) ? <button type="button" disabled={busy} aria-label={`Uncordon ${n.name}`} onClick={() => void act('uncordon')}>Uncordon</button> : null}
        {may('drain', n) && !confirmDrain ? <button type="button" className="danger" disabled={busy} aria-label={`Drain ${n.name}`} onClick={() => setConfirmDrain(true)}>Drain…</button> : null}
        {may('drain', n) && confirmDrain ? (
          <>
            <button type="button" className="danger" disabled={busy} aria-label={`Confirm: drain ${n.name} (evicts its pods)`} onClick={() => { setConfirmDrain(false); void act('drain'); }}>Evict its {view.pods.length} pods</button>
            <button type="button" className="link" onClick={() => setConfirmDrain(false)}>Cancel</button>
          </>
        ) : null}
      </div>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
      {opId ? <OperationView id={opId} compact /> : null}
    </section>
  );
}
