/**
 * Node projection: roles and zone come from labels (kept in metadata), plus unschedulable, taints,
 * capacity/allocatable, conditions, addresses and node info. Images (often the largest part of a
 * node's status) and daemon endpoints are dropped.
 */
import type { SlimNode } from '../types.js';
import { internStructure } from './interning.js';
import { pick, projectConditions, projectMetadata, type Raw } from './metadata.js';

export function projectNode(raw: Raw): SlimNode {
  const spec = raw.spec ?? {};
  const status = raw.status ?? {};
  const node: SlimNode = {
    apiVersion: raw.apiVersion ?? 'v1',
    kind: 'Node',
    metadata: projectMetadata(raw.metadata),
    spec: pick(spec, ['unschedulable', 'providerID', 'podCIDR']),
    status: pick(status, ['addresses']),
  };
  // Nodes of one pool share capacity, allocatable, taints and node info.
  if (status.capacity) node.status!.capacity = internStructure({ ...status.capacity });
  if (status.allocatable) node.status!.allocatable = internStructure({ ...status.allocatable });
  if (Array.isArray(spec.taints) && spec.taints.length) {
    node.spec!.taints = internStructure(spec.taints.map((t: Raw) => pick(t, ['key', 'value', 'effect', 'timeAdded'])));
  }
  const conditions = projectConditions(status.conditions);
  if (conditions) node.status!.conditions = conditions as never;
  if (status.nodeInfo) {
    node.status!.nodeInfo = internStructure(pick(status.nodeInfo, ['kubeletVersion', 'osImage', 'kernelVersion', 'containerRuntimeVersion', 'operatingSystem', 'architecture']));
  }
  return node;
}
