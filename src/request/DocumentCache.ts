/**
 * Parsed and validated documents by their text, least recently used first out. Most clients send the same
 * few documents again and again: parsing and validating each once is most of what a small query costs
 * before its resolvers run. Only documents that passed are kept (a refusal is recomputed, so that a flood
 * of distinct bad documents cannot push the good ones out); bounded in entries and in characters, so a
 * client sending a new large document each time cannot grow it.
 */
import type { DocumentNode } from 'graphql';

export interface DocumentCacheOptions {
  /** Documents kept. @default 500 */
  maxEntries?: number;
  /**
   * Characters of document text kept, summed. A parsed and validated document weighs some 15-20 times its
   * text on the heap, so the default holds a few hundred ordinary documents in about 5 MB. @default 262144
   */
  maxChars?: number;
}

export class DocumentCache {
  /** A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first. */
  private readonly byText = new Map<string, DocumentNode>();
  private chars = 0;
  private readonly maxEntries: number;
  private readonly maxChars: number;

  constructor(options: DocumentCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 500;
    this.maxChars = options.maxChars ?? 256 * 1024;
  }

  get(text: string): DocumentNode | undefined {
    const document = this.byText.get(text);
    if (document !== undefined) {
      this.byText.delete(text);
      this.byText.set(text, document);
    }
    return document;
  }

  set(text: string, document: DocumentNode): void {
    if (text.length > this.maxChars || this.byText.has(text)) return;
    this.byText.set(text, document);
    this.chars += text.length;
    for (const oldest of this.byText.keys()) {
      if (this.byText.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.byText.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  get size(): number {
    return this.byText.size;
  }
}
