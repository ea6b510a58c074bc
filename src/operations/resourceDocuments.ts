/**
 * The YAML of applyResources / deleteResources: one or more documents separated by `---`, each one Kubernetes
 * object. Parsed with the `yaml` package, whose LineCounter gives each document's first line, so that every
 * refusal names the document (1-based, in stream order) and its line: "document 2 (line 14): kind is missing".
 *
 * Only what can be told from the text is checked here (syntax, a mapping, apiVersion / kind / metadata.name,
 * the same object twice, a namespace that contradicts the `namespace` argument); whether the target serves
 * the kind is the catalog's to say (ApiResourceCatalog), and whether the object is valid the server's (dry run).
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import type { KubeObject } from './ClusterWriter.js';

/** One object of the YAML, where it stands. */
export interface ResourceDocument {
  /** 1-based position of the document in the stream (empty documents count, so numbers match what the user sees). */
  index: number;
  /** 1-based line where the document's content starts. */
  line: number;
  object: KubeObject;
}

/** A problem of one document, located. */
export interface DocumentProblem {
  index: number;
  line: number;
  message: string;
}

/** "document 2 (line 14): …"; for an item of a list of references (line 0), "refs[1]: …". */
export function describeProblem(p: DocumentProblem): string {
  return p.line === 0 ? `refs[${p.index - 1}]: ${p.message}` : `document ${p.index} (line ${p.line}): ${p.message}`;
}

/** A larger YAML is refused (bytes): its text is kept in the Operation's arguments (a FleetOperation resource when shared). */
export const MAX_YAML_BYTES = 512 * 1024;
/** At most this many objects per request. */
export const MAX_DOCUMENTS = 200;

/**
 * Parses `text` into objects. Problems of every document are collected (not just the first), so one answer
 * names everything wrong; the objects are returned only when there are none.
 */
export function parseResourceDocuments(text: string): { documents: ResourceDocument[]; problems: DocumentProblem[] } {
  const problems: DocumentProblem[] = [];
  const documents: ResourceDocument[] = [];
  if (Buffer.byteLength(text, 'utf8') > MAX_YAML_BYTES) {
    return { documents, problems: [{ index: 1, line: 1, message: `the YAML is over ${MAX_YAML_BYTES} bytes` }] };
  }
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  docs.forEach((doc, i) => {
    const index = i + 1;
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lineAt(start);
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const where = e.linePos?.[0]?.line ?? lineAt(e.pos[0]);
        problems.push({ index, line: where, message: `invalid YAML: ${firstLine(e.message)}` });
      }
      return;
    }
    if (doc.contents === null) return; // an empty document (`---` at the end, comments only)
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ index, line, message: 'not a Kubernetes object (a mapping with apiVersion, kind and metadata)' });
      return;
    }
    const o = value as Record<string, any>;
    const missing: string[] = [];
    if (typeof o['apiVersion'] !== 'string' || !o['apiVersion']) missing.push('apiVersion');
    if (typeof o['kind'] !== 'string' || !o['kind']) missing.push('kind');
    const meta = o['metadata'];
    if (meta !== undefined && (meta === null || typeof meta !== 'object' || Array.isArray(meta))) {
      problems.push({ index, line, message: 'metadata must be a mapping' });
      return;
    }
    if (typeof meta?.name !== 'string' || !meta.name) {
      missing.push(typeof meta?.generateName === 'string' ? 'metadata.name (generateName cannot be applied: the object must have a name)' : 'metadata.name');
    }
    if (missing.length > 0) {
      problems.push({ index, line, message: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing` });
      return;
    }
    if (meta.namespace !== undefined && meta.namespace !== null && typeof meta.namespace !== 'string') {
      problems.push({ index, line, message: 'metadata.namespace must be a string' });
      return;
    }
    documents.push({ index, line, object: o as KubeObject });
  });
  if (problems.length === 0 && documents.length === 0) problems.push({ index: 1, line: 1, message: 'no object: the YAML holds no document' });
  if (documents.length > MAX_DOCUMENTS) problems.push({ index: MAX_DOCUMENTS + 1, line: documents[MAX_DOCUMENTS]!.line, message: `at most ${MAX_DOCUMENTS} objects per request` });
  return { documents: problems.length ? [] : documents, problems };
}

function firstLine(message: string): string {
  const nl = message.indexOf('\n');
  return nl < 0 ? message : message.slice(0, nl);
}
