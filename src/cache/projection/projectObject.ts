/** Chooses the projection for a kind; every object entering the cache or the TTL store passes here. */
import type { KindDescriptor } from '../../fleet/kinds.js';
import type { SlimObject } from '../types.js';
import { projectConfigMap } from './configMap.js';
import { projectEvent } from './event.js';
import { projectGeneric } from './generic.js';
import { internString } from './interning.js';
import type { Raw } from './metadata.js';
import { projectNode } from './node.js';
import { projectPod } from './pod.js';
import { projectSecret } from './secret.js';
import { projectWorkload } from './workload.js';
import { wholeObject } from './wholeObject.js';

/**
 * Projects a raw object of `kind`; list items lack apiVersion/kind, so they are filled from the descriptor.
 * They are filled in on `raw` itself (callers hand over JSON they parsed and own): copying every listed
 * object to add two keys was a measurable part of an informer's initial sync.
 */
export function projectObject(kind: KindDescriptor, raw: Raw): SlimObject {
  if (kind.wholeObject) return wholeObject(raw, kind.group ? `${kind.group}/${kind.version}` : kind.version, kind.kind);
  // Pooled: every slim object holds them, and a watch event's copies are fresh strings each time.
  raw.apiVersion = internString(raw.apiVersion ?? (kind.group ? `${kind.group}/${kind.version}` : kind.version));
  raw.kind = internString(raw.kind ?? kind.kind);
  const withType = raw;
  switch (kind.name) {
    case 'pods':
      return projectPod(withType);
    case 'nodes':
      return projectNode(withType);
    case 'secrets':
      return projectSecret(withType);
    case 'configmaps':
      return projectConfigMap(withType);
    case 'events':
      return projectEvent(withType);
    case 'deployments':
    case 'replicasets':
    case 'statefulsets':
    case 'daemonsets':
    case 'jobs':
    case 'cronjobs':
      return projectWorkload(withType);
    default:
      return projectGeneric(withType);
  }
}
