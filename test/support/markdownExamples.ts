/**
 * The ```graphql examples of the project's Markdown (README.md, docs/*.md), as the docs test and
 * gateway-api-domains run them: every fenced block whose info string starts with `graphql`, with the
 * conventions a block may carry.
 *
 * - **Variables**: a ```json block right after a ```graphql block (only blank lines between) holds the
 *   variables of its operations (one object, given to every operation of the block; an operation ignores the
 *   variables it does not define, as graphql-js does).
 * - **Expected errors**: a comment line `# expect: CODE[, CODE…]` says the operation is meant to show an error
 *   with that `extensions.code`. It belongs to the operation whose text contains it, or, when it stands between
 *   operations, to the next one; the docs test checks the code instead of "no errors".
 *
 * Fences are CommonMark's: a line of three or more backticks (indented at most three spaces) opens a block,
 * closed by a backtick line at least as long.
 */
import { readFileSync } from 'node:fs';

export interface MarkdownExample {
  /** The Markdown file, as given. */
  file: string;
  /** 1-based line of the opening fence, for messages (`README.md:62`). */
  line: number;
  /** The block's text, unchanged (without the fences). */
  source: string;
  /** Variables from the ```json block that follows, if any. */
  variables?: Record<string, unknown>;
  /** `# expect:` markers: 1-based line within `source` → the codes it names. */
  expectations: Array<{ line: number; codes: string[] }>;
}

interface Fence {
  info: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** 1-based line of the closing fence (or the last line when unclosed). */
  endLine: number;
  body: string;
}

const OPEN = /^ {0,3}(`{3,})\s*([^`]*)$/;
const EXPECT = /^\s*#\s*expect:\s*(.+?)\s*$/;

function fencesOf(text: string): Fence[] {
  const lines = text.split('\n');
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]!);
    if (!open) continue;
    const ticks = open[1]!.length;
    let end = i + 1;
    while (end < lines.length && !new RegExp(`^ {0,3}\`{${ticks},}\\s*$`).test(lines[end]!)) end++;
    fences.push({ info: open[2]!.trim(), line: i + 1, endLine: Math.min(end, lines.length - 1) + 1, body: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return fences;
}

/** The ```graphql examples of one Markdown file, in document order. */
export function graphqlExamples(file: string): MarkdownExample[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const fences = fencesOf(text);
  const examples: MarkdownExample[] = [];
  fences.forEach((fence, index) => {
    if (fence.info.split(/\s+/)[0] !== 'graphql') return;
    const example: MarkdownExample = { file, line: fence.line, source: fence.body, expectations: [] };
    const next = fences[index + 1];
    if (next && next.info.split(/\s+/)[0] === 'json' && lines.slice(fence.endLine, next.line - 1).every((l) => l.trim() === '')) {
      try {
        example.variables = JSON.parse(next.body) as Record<string, unknown>;
      } catch (error) {
        throw new Error(`${file}:${next.line}: the variables block is not JSON: ${(error as Error).message}`);
      }
    }
    fence.body.split('\n').forEach((l, i) => {
      const marker = EXPECT.exec(l);
      if (marker) example.expectations.push({ line: i + 1, codes: marker[1]!.split(/[\s,]+/).filter(Boolean) });
    });
    examples.push(example);
  });
  return examples;
}
