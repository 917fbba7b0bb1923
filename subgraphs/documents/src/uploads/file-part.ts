import { PassThrough, type Readable } from 'node:stream';
import { WriteStream } from 'graphql-upload-ts';
import { fileTooLarge } from './upload-errors.ts';

// One file part of a multipart request, as the parser hands it out. The bytes go to
// whoever reads the file, straight from the request (ADR 0020): no temp file, no second
// read. Only a part that the request cannot get past unread (a resolver waits for a later
// part, or for the request to be whole, while this one sits unread) is spooled to a temp
// file (graphql-upload-ts's fs-capacitor), to be read from there when its resolver comes.

/**
 * How much of a part is held in memory ahead of its reader; past it the parser, and so
 * the client's connection, waits. Larger than a socket read (64 KiB) so a read never
 * stops the parser halfway through a chunk.
 */
const AHEAD_BYTES = 1024 * 1024;

export interface PartInfo {
  readonly fieldName: string;
  readonly filename: string;
  readonly mimetype: string;
  readonly encoding: string;
}

export class FilePart implements PartInfo {
  readonly fieldName: string;
  readonly filename: string;
  readonly mimetype: string;
  readonly encoding: string;
  /** The part's bytes as the parser gives them; ends when the part ends, fails when it breaks. */
  private readonly body: PassThrough;
  private mode: 'waiting' | 'read' | 'spooled' = 'waiting';
  private capacitor: WriteStream | undefined;
  private failure: Error | undefined;

  /** `source`: busboy's stream of the part, which must always be read to its end (or the parser stalls). */
  constructor(info: PartInfo, source: Readable, maxBytes: number) {
    this.fieldName = info.fieldName;
    this.filename = info.filename;
    this.mimetype = info.mimetype;
    this.encoding = info.encoding;
    this.body = new PassThrough({ highWaterMark: AHEAD_BYTES });
    const skipRest = () => {
      source.unpipe(this.body);
      source.resume(); // busboy skips the rest of this part; keep the parser going
    };
    // The size limit: the reader sees FILE_TOO_LARGE, never a clean end of a cut file.
    source.on('limit', () => {
      skipRest();
      this.fail(fileTooLarge(maxBytes));
    });
    // The parser stopped in the middle of the part (hang-up, refusal, malformed body).
    source.on('error', (error: Error) => this.fail(error));
    // The reader stopped early (type refused, store failed): the rest of the part is skipped.
    this.body.on('close', () => {
      if (!source.readableEnded) skipRest();
    });
    this.body.on('error', () => undefined);
    source.pipe(this.body);
  }

  /**
   * The part's bytes, once: streamed from the request, or from the temp file if it was
   * spooled. Throws what broke the part (FILE_TOO_LARGE, the parser's error) if it broke.
   */
  open(): Readable {
    if (this.failure) throw this.failure;
    if (this.mode === 'read') throw new Error(`the file of part ‘${this.fieldName}’ was already read`);
    if (this.mode === 'spooled') return this.capacitor!.createReadStream();
    this.mode = 'read';
    return this.body;
  }

  /** Sends the part to a temp file, if nobody reads it yet: the parser can then go on. */
  spool(): void {
    if (this.mode !== 'waiting' || this.failure) return;
    this.mode = 'spooled';
    const capacitor = new WriteStream();
    capacitor.on('error', () => this.body.destroy());
    this.capacitor = capacitor;
    this.body.pipe(capacitor);
  }

  /** The request is over for us (the response closed): nothing more will be read; `reason` for who tries. */
  release(reason: Error): void {
    this.failure ??= reason;
    this.capacitor?.release();
    if (this.mode === 'waiting') this.body.destroy();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.body.destroy(error);
    this.capacitor?.destroy(error);
  }
}
