// A bounded memory of operations already found within the limits, so a client that sends
// the same operation again (nearly every request of a real client) is not lexed again.
// Keyed by the whole query text: a Map compares keys by value, so two different texts
// never share an entry (no hash, no collision to reason about), and a text that is found
// is exactly the text that was checked. Only passes are remembered: a refusal is
// recomputed (it is as cheap to refuse again as to look up), so no refusal can outlive a
// change of limits or be planted for another client.
//
// Bounded twice: by entries and by the characters the keys hold together, so a stream
// of distinct large queries cannot grow the gateway's memory; least recently used first
// out. A text longer than a tenth of the character budget is never kept.

export interface VerdictCacheLimits {
  /** Most entries kept. */
  readonly maxEntries: number;
  /** Most characters the kept texts hold together. */
  readonly maxChars: number;
}

export const DEFAULT_VERDICT_CACHE: VerdictCacheLimits = { maxEntries: 1_000, maxChars: 4_000_000 };

export class PassedOperations {
  /** Insertion order is recency order: a hit is deleted and set again. */
  private readonly texts = new Map<string, true>();
  private chars = 0;
  private readonly limits: VerdictCacheLimits;

  constructor(limits: VerdictCacheLimits = DEFAULT_VERDICT_CACHE) {
    this.limits = limits;
  }

  /** Whether exactly this text passed before (and is still remembered); refreshes its recency. */
  has(text: string): boolean {
    if (!this.texts.has(text)) return false;
    this.texts.delete(text);
    this.texts.set(text, true);
    return true;
  }

  /** Remembers that this text passed, forgetting the least recently used beyond the bounds. */
  add(text: string): void {
    if (text.length > this.limits.maxChars / 10 || this.texts.has(text)) return;
    this.texts.set(text, true);
    this.chars += text.length;
    for (const oldest of this.texts.keys()) {
      if (this.texts.size <= this.limits.maxEntries && this.chars <= this.limits.maxChars) break;
      this.texts.delete(oldest);
      this.chars -= oldest.length;
    }
  }

  get size(): number {
    return this.texts.size;
  }

  /** Characters held by the kept texts. */
  get heldChars(): number {
    return this.chars;
  }
}
