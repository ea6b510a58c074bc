/** Event projection: the involved object, reason, message, type, count and times. */
import type { SlimEvent } from '../types.js';
import { pick, projectMetadata, type Raw } from './metadata.js';

export function projectEvent(raw: Raw): SlimEvent {
  const out: SlimEvent = {
    apiVersion: raw.apiVersion ?? 'v1',
    kind: 'Event',
    metadata: projectMetadata(raw.metadata),
    involvedObject: pick(raw.involvedObject, ['apiVersion', 'kind', 'namespace', 'name', 'uid']),
    ...pick<Partial<SlimEvent>>(raw, ['reason', 'message', 'type', 'count', 'firstTimestamp', 'lastTimestamp', 'eventTime']),
  };
  if (raw.source) out.source = pick(raw.source, ['component', 'host']);
  return out;
}
