/**
 * The pod `log` subresource: served from the simulated kubelet's PodLogBook for pods on kubelet
 * nodes; answers as the recorded server does when there is no kubelet to ask (204 for an unbound
 * pod, 500 "no preferred addresses found" for a node without addresses).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../cluster/ApiError.js';
import type { SimClusterInternals } from '../cluster/createSimCluster.js';
import type { KubeObject } from '../store/Store.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function containerNames(pod: Obj): string[] {
  return ((pod['spec']?.['containers'] ?? []) as Obj[]).map((c) => c['name'] as string);
}

function initContainerNames(pod: Obj): string[] {
  return ((pod['spec']?.['initContainers'] ?? []) as Obj[]).map((c) => c['name'] as string);
}

/**
 * Answers one log request. `track` registers a follow stream like a watch, so that dropping the
 * member's streams (or the member becoming unreachable) ends it too.
 */
export function servePodLog(
  req: IncomingMessage,
  res: ServerResponse,
  cluster: SimClusterInternals,
  namespace: string,
  name: string,
  query: URLSearchParams,
  track: (close: () => void) => () => void,
): void {
  const pod = cluster.objects.get('pods', namespace, name) as (KubeObject & Obj) | undefined;
  if (!pod) throw ApiError.notFound({ group: '', resource: 'pods' }, name);
  const names = containerNames(pod);
  let container = query.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) {
      throw ApiError.badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]${initContainerNames(pod).length ? ` or one of the init containers: [${initContainerNames(pod).join(' ')}]` : ''}`);
    }
    container = names[0]!;
  }
  if (!names.includes(container) && !initContainerNames(pod).includes(container)) {
    throw ApiError.badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const nodeName = pod['spec']?.['nodeName'] as string | undefined;
  if (!nodeName) {
    res.writeHead(204, { 'Cache-Control': 'no-cache, private' });
    res.end();
    return;
  }
  if (!cluster.kubeletNodes.has(nodeName)) {
    const node = cluster.objects.get('nodes', undefined, nodeName) as Obj | undefined;
    const addrs = ((node?.['status']?.['addresses'] ?? []) as Obj[]).map((a) => `${a['type']}: ${a['address']}`);
    throw new ApiError(500, '', `no preferred addresses found; known addresses: [${addrs.join(' ')}]`);
  }
  const previous = query.get('previous') === 'true';
  const statuses = [...((pod['status']?.['containerStatuses'] ?? []) as Obj[]), ...((pod['status']?.['initContainerStatuses'] ?? []) as Obj[])];
  const status = statuses.find((s) => s['name'] === container);
  if (previous) {
    if (cluster.logs.read(namespace, name, container, true).length === 0) {
      throw ApiError.badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    }
  } else if (!status || status['state']?.['waiting']) {
    const reason = status?.['state']?.['waiting']?.['reason'] ?? 'ContainerCreating';
    throw ApiError.badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
  }

  const timestamps = query.get('timestamps') === 'true';
  const tail = query.has('tailLines') ? Math.max(0, Number(query.get('tailLines'))) : undefined;
  const sinceSeconds = query.has('sinceSeconds') ? Number(query.get('sinceSeconds')) : undefined;
  const sinceTime = query.get('sinceTime');
  const limitBytes = query.has('limitBytes') ? Number(query.get('limitBytes')) : undefined;
  const since = sinceSeconds !== undefined ? Date.now() - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : undefined;
  const format = (e: { time: string; line: string }): string => (timestamps ? `${e.time} ${e.line}\n` : `${e.line}\n`);

  let entries = cluster.logs.read(namespace, name, container, previous).slice();
  if (since !== undefined) entries = entries.filter((e) => Date.parse(e.time) >= since);
  if (tail !== undefined) entries = tail === 0 ? [] : entries.slice(-tail);

  res.writeHead(200, { 'Cache-Control': 'no-cache, private', 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  let written = 0;
  const emit = (text: string): boolean => {
    if (limitBytes !== undefined && written + Buffer.byteLength(text) > limitBytes) {
      const room = Math.max(0, limitBytes - written);
      if (room > 0) res.write(Buffer.from(text).subarray(0, room));
      written = limitBytes;
      return false;
    }
    written += Buffer.byteLength(text);
    res.write(text);
    return true;
  };
  for (const e of entries) if (!emit(format(e))) return void res.end();
  if (query.get('follow') !== 'true' || previous) {
    res.end();
    return;
  }
  res.flushHeaders();
  let done = false;
  const stopFollow = cluster.logs.follow(namespace, name, container, (e) => {
    if (!emit(format(e))) finish();
  });
  // The stream ends when the pod (this instance of it) is gone, as a kubelet's does.
  const uid = pod.metadata.uid;
  const stopWatch = cluster.onChange('pods', (ev) => {
    if (ev.object.metadata.namespace !== namespace || ev.object.metadata.name !== name) return;
    if (ev.type === 'DELETED' || ev.object.metadata.uid !== uid) setImmediate(finish);
  });
  const untrack = track(finish);
  function finish(): void {
    if (done) return;
    done = true;
    stopFollow();
    stopWatch();
    untrack();
    if (!res.writableEnded) res.end();
  }
  req.on('close', finish);
  res.on('close', finish);
}
