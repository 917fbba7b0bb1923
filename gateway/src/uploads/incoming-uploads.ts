import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { AppError } from '@docuvault/shared/errors/index';
import busboy from 'busboy';
import { filenameProblem } from '@docuvault/shared/uploads/filenames';
import { applyMap, parseOperations, type JsonObject } from './operations-map.ts';
import {
  badFilename,
  clientGone,
  fieldAfterMap,
  fileTooLarge,
  malformed,
  malformedPartHeader,
  missingPart,
  partSentTwice,
  tooManyFiles,
  unmappedPart,
} from './upload-errors.ts';

export interface UploadLimits {
  readonly maxFileBytes: number;
  readonly maxFiles: number;
}

/** One file part of the client's request, readable once, as it arrives. */
export interface FilePart {
  readonly key: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly stream: Readable;
}

interface Waiter {
  readonly keys: ReadonlySet<string>;
  resolve(part: FilePart | undefined): void;
  reject(error: unknown): void;
}

/** `operations` and `map` are JSON; a query with its variables never needs more. */
const MAX_FIELD_BYTES = 1024 * 1024;

/**
 * The files of one multipart request, handed out as they arrive, never spooled.
 * busboy reads the body in order and pauses while a file part is not read, so a part
 * waits (and the client with it) until the subgraph fetch that needs it reads it.
 */
export class IncomingUploads {
  /** key → the paths of the operation where that file goes. */
  readonly files: ReadonlyMap<string, readonly string[]>;
  private readonly req: IncomingMessage;
  private readonly parser: busboy.Busboy;
  private readonly held: FilePart[] = [];
  /** Files read and dropped because no request used them (see skipUnclaimed). */
  private readonly dropped = new Set<string>();
  private waiters: Waiter[] = [];
  private readonly claimed = new Set<string>();
  private readonly arrived = new Set<string>();
  private readonly disposers: (() => void)[] = [];
  private readonly open = new Set<PassThrough>();
  private ended = false;
  private failure: unknown;
  private refused: AppError | undefined;
  private readonly completion: Promise<void>;
  private completed!: () => void;
  private failCompletion!: (error: unknown) => void;

  private constructor(req: IncomingMessage, parser: busboy.Busboy, files: Map<string, string[]>) {
    this.req = req;
    this.parser = parser;
    this.files = files;
    this.completion = new Promise<void>((resolve, reject) => {
      this.completed = resolve;
      this.failCompletion = reject;
    });
    this.completion.catch(() => undefined);
  }

  /**
   * Why the whole request was refused (its map and parts disagree, a filename is bad, the
   * body is malformed), once it was: the client is answered with this error alone.
   */
  get refusal(): AppError | undefined {
    return this.refused;
  }

  /**
   * Reads the request up to the end of `map` and answers the operation (files replaced
   * by placeholders) and the uploads. Rejects with an AppError for a malformed request.
   */
  static parse(
    req: IncomingMessage,
    limits: UploadLimits,
  ): Promise<{ operations: JsonObject; uploads: IncomingUploads }> {
    return new Promise((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = createParser(req, limits);
      } catch (error) {
        reject(malformed(error instanceof Error ? error.message : String(error)));
        return;
      }
      let operations: JsonObject | undefined;
      let uploads: IncomingUploads | undefined;
      const fail = (error: unknown) => {
        if (uploads) return uploads.fail(error);
        stop(req, parser);
        reject(error);
      };
      parser.on('field', (name, value, info) => {
        if (uploads) return uploads.refuse(fieldAfterMap(name, uploads.files.has(name)));
        try {
          if (info.valueTruncated)
            throw malformed(`the ‘${name}’ field is larger than ${MAX_FIELD_BYTES} bytes`);
          if (name === 'operations') operations = parseOperations(value);
          else if (name !== 'map') throw malformed(`unexpected field ‘${name}’ before the files`);
          else if (!operations) throw malformed('the ‘map’ field must follow ‘operations’');
          else {
            uploads = new IncomingUploads(req, parser, applyMap(value, operations, limits.maxFiles));
            resolve({ operations, uploads });
          }
        } catch (error) {
          fail(error);
        }
      });
      parser.on('file', (key, stream, info) => {
        if (!uploads) {
          stream.on('error', () => undefined); // stopping the parser mid-part fails it
          stream.resume();
          fail(malformed('files must follow the ‘operations’ and ‘map’ fields'));
          return;
        }
        uploads.arrive(key, stream, info, limits.maxFileBytes);
      });
      const refuse = (error: AppError) => (uploads ? uploads.refuse(error) : fail(error));
      parser.on('filesLimit', () => refuse(tooManyFiles(limits.maxFiles)));
      parser.on('error', (error: Error) =>
        refuse(/part header/i.test(error.message) ? malformedPartHeader() : malformed(error.message)),
      );
      parser.on('close', () => {
        if (uploads) uploads.end();
        else fail(malformed(operations ? 'the ‘map’ field is missing' : 'the ‘operations’ field is missing'));
      });
      req.on('close', () => {
        if (!req.complete) fail(clientGone());
      });
      req.pipe(parser);
    });
  }

  /** Marks keys as taken by one subgraph fetch: a file's bytes can be sent once only. */
  claim(keys: Iterable<string>): void {
    for (const key of keys) {
      if (this.claimed.has(key)) throw malformed(`file ‘${key}’ is used by two subgraph requests`);
    }
    for (const key of keys) this.claimed.add(key);
  }

  /**
   * The next file, in the order the client sent them, among `keys`. Undefined when they
   * were read and dropped for want of a reader (skipUnclaimed); a body that ends without
   * one of them refuses the whole request, and this rejects with that refusal.
   * `signal` withdraws the wait when the fetch gives up.
   */
  next(keys: ReadonlySet<string>, signal?: AbortSignal): Promise<FilePart | undefined> {
    if (this.failure) return Promise.reject(this.failure);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const index = this.held.findIndex((part) => keys.has(part.key));
    if (index >= 0) return Promise.resolve(this.held.splice(index, 1)[0]);
    if (this.ended || [...keys].every((key) => this.dropped.has(key))) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const withdraw = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        keys,
        resolve(part) {
          signal?.removeEventListener('abort', withdraw);
          resolve(part);
        },
        reject(error) {
          signal?.removeEventListener('abort', withdraw);
          reject(error);
        },
      };
      signal?.addEventListener('abort', withdraw, { once: true });
      this.waiters.push(waiter);
      this.skipUnclaimed();
    });
  }

  /**
   * Settles once the client's body has been read to its end: resolves when every part the
   * map names arrived and nothing else did, rejects with the failure otherwise. A subgraph
   * request ends its body only after this, so no subgraph keeps a file of a request that
   * turns out to be refused (the subgraph commits only once its body is whole).
   */
  complete(signal?: AbortSignal): Promise<void> {
    if (!signal) return this.completion;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const withdraw = () => reject(signal.reason);
      signal.addEventListener('abort', withdraw, { once: true });
      this.completion.then(resolve, reject).finally(() => signal.removeEventListener('abort', withdraw));
    });
  }

  /** Refuses the whole request: every file stops, and the client is answered with `error`. */
  refuse(error: AppError): void {
    if (this.failure) return;
    this.refused = error;
    this.fail(error);
  }

  /** Runs `fn` when the request is done with (answered, failed or abandoned). */
  onDispose(fn: () => void): void {
    if (this.failure) fn();
    else this.disposers.push(fn);
  }

  /** After the response: nothing more will be read; let the rest of the body drain. */
  dispose(): void {
    if (!this.failure)
      this.fail(new AppError('BAD_USER_INPUT', 'The request was answered before this file was used'));
  }

  private arrive(key: string, stream: Readable, info: busboy.FileInfo, maxBytes: number): void {
    // Read and dropped whatever happens next: a refused part must not stall the body. Its
    // stream fails when the parser stops mid-part, and that is expected here.
    stream.on('error', () => undefined);
    if (this.failure) {
      stream.resume();
      return;
    }
    const filename = info.filename ?? '';
    const problem = filenameProblem(filename);
    const refusal = !this.files.has(key)
      ? unmappedPart(key)
      : this.arrived.has(key)
        ? partSentTwice(key)
        : problem
          ? badFilename(key, problem)
          : undefined;
    if (refusal) {
      stream.resume();
      this.refuse(refusal);
      return;
    }
    this.arrived.add(key);
    const guard = new PassThrough();
    // Its reader (the subgraph request) sees the error; one with no reader must not crash us.
    guard.on('error', () => undefined);
    this.open.add(guard);
    guard.once('close', () => this.open.delete(guard));
    stream.once('limit', () => {
      guard.destroy(fileTooLarge(maxBytes));
      stream.resume(); // busboy skips the rest of this part; keep the parser going
    });
    stream.once('error', (error: Error) => guard.destroy(malformed(error.message)));
    stream.pipe(guard);
    const part: FilePart = { key, filename, mimeType: info.mimeType, stream: guard };
    const waiter = this.waiters.find((w) => w.keys.has(key));
    if (waiter) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(part);
      return;
    }
    this.held.push(part);
    this.skipUnclaimed();
  }

  /**
   * A request waits for a file while one that no request has claimed blocks the body
   * (we never spool, so it would wait forever): read and drop the unclaimed one. A later
   * request that wanted it finds it missing, and the subgraph says so. Decided a tick
   * later, because the requests of one plan step claim their files one after another.
   */
  private skipUnclaimed(): void {
    setImmediate(() => {
      if (this.failure || this.waiters.length === 0) return;
      for (const part of this.held.filter((held) => !this.claimed.has(held.key))) {
        this.held.splice(this.held.indexOf(part), 1);
        this.dropped.add(part.key);
        part.stream.resume();
      }
      // Waiters whose every file was dropped will get none.
      for (const waiter of this.waiters.filter((w) => [...w.keys].every((key) => this.dropped.has(key)))) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(undefined);
      }
    });
  }

  private end(): void {
    if (this.failure) return;
    const missing = [...this.files.keys()].filter((key) => !this.arrived.has(key));
    if (missing.length > 0) {
      this.refuse(missingPart(missing));
      return;
    }
    this.ended = true;
    for (const waiter of this.waiters) waiter.resolve(undefined);
    this.waiters = [];
    this.completed();
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = error;
    this.failCompletion(error);
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters = [];
    for (const guard of this.open) guard.destroy(error instanceof Error ? error : new Error(String(error)));
    for (const part of this.held.splice(0)) part.stream.destroy();
    stop(this.req, this.parser);
    for (const fn of this.disposers.splice(0)) fn();
  }
}

function createParser(req: IncomingMessage, limits: UploadLimits): busboy.Busboy {
  return busboy({
    headers: req.headers,
    defParamCharset: 'utf8',
    limits: {
      fieldSize: MAX_FIELD_BYTES,
      // operations and map; a third is read only to say what it is (fieldAfterMap).
      fields: 3,
      // busboy reports a file of exactly `fileSize` bytes as truncated: +1 makes the limit inclusive.
      fileSize: limits.maxFileBytes + 1,
      files: limits.maxFiles,
    },
  });
}

/** Stops parsing and lets the rest of the body drain, so the connection stays usable. */
function stop(req: IncomingMessage, parser: busboy.Busboy): void {
  req.unpipe(parser);
  parser.destroy();
  if (!req.destroyed) req.resume();
}
