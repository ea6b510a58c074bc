/**
 * Accept and Content-Type negotiation as kube-apiserver does it: JSON, YAML, the Table and
 * PartialObjectMetadata "as=" variants kubectl asks for, and 406 for what it cannot serve
 * (including aggregated discovery alone, which 1.26 does not serve).
 */
import { ApiError } from '../cluster/ApiError.js';

export type OutputFormat =
  | { type: 'json' }
  | { type: 'yaml' }
  | { type: 'table'; version: 'v1' | 'v1beta1' }
  | { type: 'partial'; version: 'v1' | 'v1beta1' };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((s) => s.trim());
      const p: Record<string, string> = {};
      for (const kv of params) {
        const i = kv.indexOf('=');
        if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
      }
      return { type: (type ?? '').toLowerCase(), params: p };
    })
    .filter((r) => r.type);
}

/**
 * Picks the answer's representation. `allowTable` is false for discovery and non-object answers,
 * where only plain JSON/YAML exist.
 */
export function negotiateOutput(accept: string | undefined, options: { allowTable: boolean; discovery?: boolean }): OutputFormat {
  if (!accept || !accept.trim()) return { type: 'json' };
  const ranges = parseAccept(accept);
  for (const r of ranges) {
    const as = r.params['as'];
    if (r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*') {
      if (!as) return { type: 'json' };
      if (!options.allowTable) continue;
      const v = r.params['v'];
      const g = r.params['g'];
      if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
      if (as === 'Table') return { type: 'table', version: v };
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { type: 'partial', version: v };
      continue;
    }
    if ((r.type === 'application/yaml' || r.type === 'text/yaml') && !as) return { type: 'yaml' };
  }
  if (options.discovery) {
    throw new ApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  }
  throw new ApiError(406, 'NotAcceptable', '406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf', {});
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf' | 'merge-patch' | 'strategic-merge-patch' | 'json-patch' | 'apply-patch';

export function requestBodyFormat(contentType: string | undefined, isPatch: boolean): BodyFormat {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (isPatch) {
    switch (t) {
      case 'application/merge-patch+json':
        return 'merge-patch';
      case 'application/strategic-merge-patch+json':
        return 'strategic-merge-patch';
      case 'application/json-patch+json':
        return 'json-patch';
      case 'application/apply-patch+yaml':
      case 'application/apply-patch+json':
        return 'apply-patch';
      default:
        throw new ApiError(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});
    }
  }
  if (t === '' || t === 'application/json' || t === '*/*') return 'json';
  if (t === 'application/yaml' || t === 'text/yaml') return 'yaml';
  if (t === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  throw new ApiError(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});
}
