/**
 * Every ```graphql example of README.md and docs/*.md runs, unchanged, against a gateway over the embedded
 * demo fleet (auth none), as a reader would paste it into GraphiQL:
 *
 * - each file gets a fresh simulator and gateway, started inside its test so that a retry starts clean, and its
 *   blocks run in document order (a mutation example may rely on the ones before it, never on another file);
 * - a block holding several operations is one document: they must be named (GraphiQL asks which one to run;
 *   here each is run in order with its `operationName`);
 * - queries and mutations go over HTTP; subscriptions over graphql-ws: the first event is awaited and, when
 *   the field sends nothing until something changes (`nodeChanged`), the change is made through the gateway
 *   (see TRIGGERS);
 * - each operation must answer without `errors` and with non-null data for every top-level field; a mutation's
 *   Operation (for applyResources / deleteResources: `operation { id }` of the result, null on a dry run) is then
 *   followed until it ends, and must end SUCCEEDED (the next example may depend on it);
 * - an example meant to show an error says so with a comment line `# expect: CODE` inside the operation (or
 *   just before it): the answer must then carry errors, all with that `extensions.code`, and no Operation;
 * - a block holding only type definitions (a schema excerpt such as `type Operation { … }`) is checked against
 *   the served schema by introspection: every type, field, argument, input field and enum value it names must
 *   exist with the type it shows;
 * - variables come from a ```json block right after the ```graphql block (test/support/markdownExamples.ts).
 */
import { readdirSync } from 'node:fs';
import {
  Kind, parse, type ArgumentNode, type DefinitionNode, type DocumentNode, type FieldNode, type FragmentDefinitionNode,
  type OperationDefinitionNode, type SelectionSetNode, type TypeNode, type ValueNode,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from './support/gatewayFixture.js';
import { graphqlExamples, type MarkdownExample } from './support/markdownExamples.js';
import { openClient } from './support/subscriptionsClient.js';

const FILES = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/** How long a mutation's Operation may take to end (a drain evicts a node's pods one step each). */
const OPERATION_TIMEOUT_MS = 90_000;
/** How long a subscription may stay silent before its trigger runs (fields that send their current state first answer at once). */
const QUIET_MS = 2_000;
/** How long a subscription may take to send its first event after the trigger. */
const EVENT_TIMEOUT_MS = 20_000;

type Body = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

interface Run {
  fx: GatewayFixture;
  example: MarkdownExample;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** `operationName` to send: the operation's name when the block holds several. */
  operationName?: string;
  /** Codes of an `# expect:` marker for this operation. */
  expected?: string[];
}

/** Sends a GraphQL request over HTTP with its operationName. */
async function post(fx: GatewayFixture, query: string, variables?: Record<string, unknown>, operationName?: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(fx.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as Body };
  } catch {
    throw new Error(`gateway answered ${res.status} with non-JSON: ${text.slice(0, 200)}`);
  }
}

/** The response keys of an operation's top-level fields (fragments followed), to check each is non-null. */
function topLevelKeys(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): string[] {
  return selectionSet.selections.flatMap((s) => {
    if (s.kind === Kind.FIELD) return s.name.value === '__typename' ? [] : [(s.alias ?? s.name).value];
    if (s.kind === Kind.INLINE_FRAGMENT) return topLevelKeys(s.selectionSet, fragments);
    const fragment = fragments.get(s.name.value);
    return fragment ? topLevelKeys(fragment.selectionSet, fragments) : [];
  });
}

/** Errors of an answer that an example did not expect: none allowed, or only the expected codes (and at least one). */
function checkErrors(run: Run, body: Body): string | undefined {
  if (run.expected) {
    const codes = (body.errors ?? []).map((e) => String(e.extensions?.code));
    if (codes.length === 0) return `expected an error ${run.expected.join('|')}, got none: ${JSON.stringify(body.data)}`;
    const other = codes.filter((c) => !run.expected!.includes(c));
    if (other.length > 0) return `expected only ${run.expected.join('|')}, got ${JSON.stringify(body.errors)}`;
    const made = run.operation.operation === 'mutation' ? Object.values(body.data ?? {}).filter((v) => v != null) : [];
    return made.length > 0 ? `a refused mutation made an Operation: ${JSON.stringify(made)}` : undefined;
  }
  if (body.errors) return `errors: ${JSON.stringify(body.errors)}`;
  if (!body.data) return 'no data';
  const fragments = new Map(run.document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const missing = topLevelKeys(run.operation.selectionSet, fragments).filter((k) => body.data![k] == null);
  return missing.length > 0 ? `null top-level fields: ${missing.join(', ')}` : undefined;
}

/** Follows an Operation by `Query.operation(id)` until it ends; the failure text when it does not end SUCCEEDED. */
async function followToEnd(fx: GatewayFixture, id: string): Promise<string | undefined> {
  const deadline = Date.now() + OPERATION_TIMEOUT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    const res = await post(fx, 'query($id: ID!) { operation(id: $id) { type phase reason error steps { name phase message } } }', { id });
    if (res.body.errors) return `operation(${id}): ${JSON.stringify(res.body.errors)}`;
    last = res.body.data!.operation;
    const phase = (last as { phase?: string } | null)?.phase;
    if (phase === 'SUCCEEDED') return undefined;
    if (phase === 'FAILED' || phase === 'CANCELLED' || !last) return `Operation ${id} ended ${JSON.stringify(last)}`;
    await new Promise((r) => setTimeout(r, 250));
  }
  return `Operation ${id} did not end within ${OPERATION_TIMEOUT_MS} ms: ${JSON.stringify(last)}`;
}

async function runOverHttp(run: Run): Promise<string | undefined> {
  const { fx, example, operationName } = run;
  const res = await post(fx, example.source, example.variables, operationName);
  const problem = checkErrors(run, res.body);
  if (problem) return problem;
  if (run.expected || run.operation.operation !== 'mutation') return undefined;
  // Every mutation returns an Operation: the example is only done (and the next may rely on it) once it ends.
  for (const value of Object.values(res.body.data!)) {
    // applyResources / deleteResources answer their Operation inside the result: null on a dry run (nothing to follow).
    const result = value as { id?: unknown; objects?: unknown; operation?: { id?: unknown } | null };
    if (Array.isArray(result.objects) && result.operation === null) continue;
    const id = Array.isArray(result.objects) ? result.operation?.id : result.id;
    if (typeof id !== 'string') return `a mutation example should select the Operation's id: ${JSON.stringify(value)}`;
    const failure = await followToEnd(fx, id);
    if (failure) return failure;
  }
  return undefined;
}

/** A literal or variable argument of a field, as JSON. */
function argument(args: readonly ArgumentNode[] | undefined, name: string, variables: Record<string, unknown> = {}): unknown {
  const value = args?.find((a) => a.name.value === name)?.value;
  const toJson = (v: ValueNode | undefined): unknown => {
    if (!v) return undefined;
    switch (v.kind) {
      case Kind.VARIABLE: return variables[v.name.value];
      case Kind.STRING: case Kind.ENUM: case Kind.BOOLEAN: return v.value;
      case Kind.INT: case Kind.FLOAT: return Number(v.value);
      case Kind.LIST: return v.values.map(toJson);
      case Kind.OBJECT: return Object.fromEntries(v.fields.map((f) => [f.name.value, toJson(f.value)]));
      default: return null;
    }
  };
  return toJson(value);
}

/**
 * Changes that make a subscription field send its first event, made through the gateway's own API, for the
 * fields that send nothing until something changes. Fields that send their current state first
 * (`fleetChanged`, `operationProgress`) need none.
 */
const TRIGGERS: Record<string, (fx: GatewayFixture, field: FieldNode, variables?: Record<string, unknown>) => Promise<void>> = {
  // As the docs say: cordon a node the subscription watches, and the subscriber sees `unschedulable: true`.
  async nodeChanged(fx, field, variables) {
    const cluster = argument(field.arguments, 'cluster', variables) as string | undefined;
    const name = argument(field.arguments, 'name', variables) as string | undefined;
    const labelSelector = argument(field.arguments, 'labelSelector', variables) as string | undefined;
    const nodes = await post(fx, 'query($f: NodeFilter) { nodes(first: 100, filter: $f) { edges { node { cluster name } } } }', { f: { cluster, labelSelector } });
    const node = (nodes.body.data?.nodes as { edges: Array<{ node: { cluster: string; name: string } }> } | undefined)?.edges
      .map((e) => e.node).find((n) => !name || n.name === name);
    if (!node) throw new Error(`nodeChanged trigger: no node matches ${JSON.stringify({ cluster, name, labelSelector })}: ${JSON.stringify(nodes.body)}`);
    const res = await post(fx, 'mutation($c: String!, $n: String!) { cordonNode(cluster: $c, name: $n) { id } }', { c: node.cluster, n: node.name });
    if (res.body.errors) throw new Error(`nodeChanged trigger: ${JSON.stringify(res.body.errors)}`);
  },
};

async function runOverWebSocket(run: Run): Promise<string | undefined> {
  const { fx, example, operation, operationName } = run;
  const client = openClient(fx.gateway.url);
  try {
    let first: Body | undefined;
    let failure: string | undefined;
    const arrived = new Promise<void>((resolve) => {
      client.subscribe({ query: example.source, variables: example.variables, ...(operationName ? { operationName } : {}) }, {
        next: (value) => {
          first ??= value as Body;
          resolve();
        },
        error: (error) => {
          failure = `subscription error: ${JSON.stringify(error instanceof Error ? error.message : error)}`;
          first ??= { errors: Array.isArray(error) ? error : [{ message: String(error) }] };
          resolve();
        },
        complete: () => resolve(),
      });
    });
    const wait = (ms: number) => Promise.race([arrived, new Promise((r) => setTimeout(r, ms))]);
    await wait(QUIET_MS);
    if (!first && !failure) {
      const field = operation.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD)!;
      const trigger = TRIGGERS[field.name.value];
      if (!trigger) return `${field.name.value} sent nothing within ${QUIET_MS} ms and TRIGGERS has no change that makes it send`;
      await trigger(fx, field, example.variables);
      await wait(EVENT_TIMEOUT_MS);
    }
    if (!first) return failure ?? `no event within ${EVENT_TIMEOUT_MS} ms of the trigger`;
    if (failure && !run.expected) return failure;
    return checkErrors(run, first);
  } finally {
    await client.dispose();
  }
}

/** `[Type!]!` as SDL prints it, from an AST type or an introspection type reference. */
function printAstType(type: TypeNode): string {
  if (type.kind === Kind.NON_NULL_TYPE) return `${printAstType(type.type)}!`;
  if (type.kind === Kind.LIST_TYPE) return `[${printAstType(type.type)}]`;
  return type.name.value;
}
type TypeRef = { kind: string; name: string | null; ofType: TypeRef | null };
function printTypeRef(ref: TypeRef): string {
  if (ref.kind === 'NON_NULL') return `${printTypeRef(ref.ofType!)}!`;
  if (ref.kind === 'LIST') return `[${printTypeRef(ref.ofType!)}]`;
  return ref.name!;
}
const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';

/** A schema excerpt (type definitions only) against the schema the gateway serves; the differences found. */
async function checkSchemaExcerpt(fx: GatewayFixture, definitions: readonly DefinitionNode[]): Promise<string[]> {
  const problems: string[] = [];
  for (const def of definitions) {
    if (!('name' in def) || !def.name || !('kind' in def)) {
      problems.push(`unsupported definition ${def.kind}`);
      continue;
    }
    const typeName = def.name.value;
    const res = await post(fx, `query($n: String!) { __type(name: $n) { kind
      fields { name type { ${TYPE_REF} } args { name type { ${TYPE_REF} } } }
      inputFields { name type { ${TYPE_REF} } } enumValues { name } } }`, { n: typeName });
    const served = res.body.data?.__type as {
      fields: Array<{ name: string; type: TypeRef; args: Array<{ name: string; type: TypeRef }> }> | null;
      inputFields: Array<{ name: string; type: TypeRef }> | null; enumValues: Array<{ name: string }> | null;
    } | null;
    if (!served) {
      problems.push(`type ${typeName} is not in the served schema`);
      continue;
    }
    if (def.kind === Kind.ENUM_TYPE_DEFINITION || def.kind === Kind.ENUM_TYPE_EXTENSION) {
      for (const v of def.values ?? []) {
        if (!served.enumValues?.some((e) => e.name === v.name.value)) problems.push(`${typeName}.${v.name.value} is not a value of the served enum`);
      }
      continue;
    }
    const fields = def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || def.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION
      ? (def.fields ?? []).map((f) => ({ name: f.name.value, type: printAstType(f.type), args: [] as Array<{ name: string; type: string }> }))
      : 'fields' in def
        ? (def.fields ?? []).map((f) => ({ name: f.name.value, type: printAstType(f.type), args: ('arguments' in f ? f.arguments ?? [] : []).map((a) => ({ name: a.name.value, type: printAstType(a.type) })) }))
        : [];
    const servedFields = served.fields ?? served.inputFields?.map((f) => ({ ...f, args: [] })) ?? [];
    for (const f of fields) {
      const s = servedFields.find((x) => x.name === f.name);
      if (!s) {
        problems.push(`${typeName}.${f.name} is not in the served schema`);
        continue;
      }
      if (printTypeRef(s.type) !== f.type) problems.push(`${typeName}.${f.name} is ${printTypeRef(s.type)} in the served schema, ${f.type} in the docs`);
      for (const a of f.args) {
        const sa = s.args.find((x) => x.name === a.name);
        if (!sa) problems.push(`${typeName}.${f.name}(${a.name}) is not in the served schema`);
        else if (printTypeRef(sa.type) !== a.type) problems.push(`${typeName}.${f.name}(${a.name}) is ${printTypeRef(sa.type)} in the served schema, ${a.type} in the docs`);
      }
    }
  }
  return problems;
}

/** The `# expect:` codes that belong to `operation`: a marker inside it, or between the previous operation and it. */
function expectationsOf(example: MarkdownExample, operations: OperationDefinitionNode[], index: number): string[] | undefined {
  const lineOf = (offset: number) => example.source.slice(0, offset).split('\n').length;
  const end = lineOf(operations[index]!.loc!.end);
  const after = index === 0 ? 0 : lineOf(operations[index - 1]!.loc!.end);
  const codes = example.expectations.filter((m) => m.line > after && m.line <= end).flatMap((m) => m.codes);
  return codes.length > 0 ? codes : undefined;
}

/** Runs one block; the problems found, each naming where. */
async function runExample(fx: GatewayFixture, example: MarkdownExample): Promise<string[]> {
  const where = `${example.file}:${example.line}`;
  let document: DocumentNode;
  try {
    document = parse(example.source);
  } catch (error) {
    return [`${where}: does not parse: ${(error as Error).message}`];
  }
  const executable = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION);
  if (executable.length === 0) return (await checkSchemaExcerpt(fx, document.definitions)).map((p) => `${where}: ${p}`);
  if (executable.length !== document.definitions.length) return [`${where}: mixes type definitions and operations`];
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const problems: string[] = [];
  for (const [index, operation] of operations.entries()) {
    const label = `${where} ${operation.operation} ${operation.name?.value ?? '(anonymous)'}`;
    if (operations.length > 1 && !operation.name) {
      problems.push(`${label}: a block with several operations must name each (GraphiQL and operationName need it)`);
      continue;
    }
    const run: Run = { fx, example, document, operation, operationName: operations.length > 1 ? operation.name!.value : undefined, expected: expectationsOf(example, operations, index) };
    const problem = operation.operation === 'subscription' ? await runOverWebSocket(run) : await runOverHttp(run);
    if (problem) problems.push(`${label}: ${problem}`);
  }
  return problems;
}

describe('the GraphQL examples of README.md and docs/', () => {
  const examples = FILES.map((file) => ({ file, examples: graphqlExamples(file) }));

  it('are found where the docs have them', () => {
    const counts = Object.fromEntries(examples.map((e) => [e.file, e.examples.length]));
    expect(counts['README.md']).toBeGreaterThan(0);
    expect(counts['docs/api.md']).toBeGreaterThan(5);
    expect(counts['docs/mutations.md']).toBeGreaterThan(10);
    expect(counts['docs/subscriptions.md']).toBeGreaterThan(0);
  });

  for (const { file, examples: blocks } of examples.filter((e) => e.examples.length > 0)) {
    it(`${file}: every example runs unchanged, in order, on a fresh demo fleet`, async () => {
      const fx = await startGatewayFixture();
      try {
        const problems: string[] = [];
        for (const example of blocks) problems.push(...await runExample(fx, example));
        expect(problems).toEqual([]);
      } finally {
        await fx.stop();
      }
    }, 600_000);
  }
});
