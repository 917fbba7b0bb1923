// Words as the rules see them: runs of letters, marks and digits in any script, so
// "Rechnung", "налог" and "2026" are words and punctuation never is.

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** NFC so a composed and a decomposed "é" are the same word; lower-cased unless case matters. */
export function fold(text: string, caseSensitive: boolean): string {
  const composed = text.normalize('NFC');
  return caseSensitive ? composed : composed.toLowerCase();
}

export function words(text: string): string[] {
  return text.match(WORD) ?? [];
}

export interface FoldedText {
  readonly text: string;
  readonly words: readonly string[];
  readonly wordSet: ReadonlySet<string>;
}

/**
 * A document's title and text, folded and split at most once per case mode however many
 * topics look at it (a capped text is still up to a megabyte).
 */
export class DocumentText {
  readonly raw: string;
  private readonly cache = new Map<boolean, FoldedText>();

  constructor(title: string, text: string) {
    this.raw = text.length > 0 ? `${title}\n${text}` : title;
  }

  view(caseSensitive: boolean): FoldedText {
    let folded = this.cache.get(caseSensitive);
    if (!folded) {
      const text = fold(this.raw, caseSensitive);
      const list = words(text);
      folded = { text, words: list, wordSet: new Set(list) };
      this.cache.set(caseSensitive, folded);
    }
    return folded;
  }
}
