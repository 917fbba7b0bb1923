/**
 * Collects extracted text up to a limit in UTF-8 bytes (what PostgreSQL stores), so an
 * extractor can stop reading as soon as the limit is reached instead of decoding a whole
 * 100 MB file only to throw most of it away.
 */
export class TextSink {
  private readonly parts: string[] = [];
  private bytes = 0;
  private full = false;
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }

  /** Appends text; answers false once the limit is reached (the caller should stop). */
  append(text: string): boolean {
    if (this.full) return false;
    const clean = cleanText(text);
    const size = Buffer.byteLength(clean, 'utf8');
    if (this.bytes + size <= this.limitBytes) {
      this.parts.push(clean);
      this.bytes += size;
      return true;
    }
    this.parts.push(capUtf8(clean, this.limitBytes - this.bytes));
    this.bytes = this.limitBytes;
    this.full = true;
    return false;
  }

  get isFull(): boolean {
    return this.full;
  }

  text(): string {
    return this.parts.join('').trim();
  }
}

/**
 * PostgreSQL text cannot hold NUL, and other C0 controls are noise from binary formats;
 * line breaks are normalised so rules see one kind of newline.
 */
export function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ');
}

/** The longest prefix of `text` that fits in `limitBytes` UTF-8 bytes, cut between characters. */
export function capUtf8(text: string, limitBytes: number): string {
  if (limitBytes <= 0) return '';
  // Every UTF-16 unit becomes at most 3 UTF-8 bytes: most texts need no encoding at all.
  if (text.length * 3 <= limitBytes) return text;
  const encoded = Buffer.from(text, 'utf8');
  if (encoded.length <= limitBytes) return text;
  let end = limitBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (encoded[end]! & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString('utf8');
}
