import type { AppError } from '@docuvault/shared/errors/index';
import { verifyMultipartFields, type Refusal } from '@docuvault/shared/http/subgraph-signature';
import { filenameProblem } from '@docuvault/shared/uploads/filenames';
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { Upload } from 'graphql-upload-ts';
import { FilePart } from './file-part.ts';
import {
  badFilename,
  fieldAfterMap,
  interrupted,
  malformed,
  malformedPartHeader,
  missingPart,
  partSentTwice,
  RequestRefused,
  tooManyFiles,
  unmappedPart,
} from './upload-errors.ts';

// A GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec)
// read much as graphql-upload-ts reads it (an `Upload` in each file's place in the
// variables), but each file is read once, straight from the request (file-part.ts, ADR
// 0020) rather than spooled to a temp file and read back, and with three things it does not do:
// - `operations` and `map` are checked against the gateway's signature before any file
//   part is read (shared/src/http/subgraph-signature.ts);
// - a part the map does not name, a part sent twice, a bad filename, a part the map names
//   that never comes: the whole request is refused, not just that file;
// - `whole` settles when the body has been read to its end, so an upload is committed
//   only once the request it came in is known to be sound.

export interface MultipartLimits {
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  readonly maxFieldBytes: number;
}

/** What a resolver waiting on the request tells the parser (so it never waits on itself). */
interface BodyDemand {
  /** A resolver waits for this upload's part, which has not come yet. */
  wantsPart(upload: RequestUpload): void;
  /** A resolver waits for the whole body. */
  wantsWhole(): Promise<void>;
}

/**
 * The value the parser puts where a file goes; the `Upload` scalar hands it to resolvers.
 * Read through `arrival()` and `whole()` (graphql-upload-ts's `promise` never settles: its
 * FileUpload is a temp file, which this part is not unless it has to be).
 */
export class RequestUpload extends Upload {
  /** The part, once the parser has reached it. */
  part: FilePart | undefined;
  /** How many places of the operations hold this upload (the map's paths): each may read it. */
  readonly places: number;
  readonly #body: BodyDemand;
  readonly #arrived: Promise<FilePart>;
  #resolve!: (part: FilePart) => void;
  #reject!: (error: unknown) => void;

  constructor(body: BodyDemand, places: number) {
    super();
    this.#body = body;
    this.places = places;
    this.#arrived = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#arrived.catch(() => undefined);
  }

  /** The file's part, when the parser reaches it; rejects with a RequestRefused if it never will. */
  arrival(): Promise<FilePart> {
    if (!this.part) this.#body.wantsPart(this);
    return this.#arrived;
  }

  /** Resolves once the request's whole body was read and found sound; rejects with why it was not. */
  whole(): Promise<void> {
    return this.#body.wantsWhole();
  }

  attach(part: FilePart): void {
    this.part = part;
    this.#resolve(part);
  }

  refuse(error: unknown): void {
    this.#reject(error);
  }
}

export type ParsedMultipart =
  { readonly operations: Record<string, unknown> } | { readonly unsigned: Refusal };

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw malformed(`the ‘${name}’ field is not valid JSON`);
  }
}

/** The object or array at `segments` of `root`, through own properties only (no `__proto__` tricks). */
function containerAt(root: unknown, segments: readonly string[]): JsonObject | undefined {
  let current = root;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as JsonObject)[segment];
  }
  return typeof current === 'object' && current !== null ? (current as JsonObject) : undefined;
}

/** Puts an upload at each path of its map entry; a path must name a null in `operations`. */
function placeUploads(operations: JsonObject, mapJson: string, maxFiles: number, body: BodyDemand) {
  const parsed = parseJson('map', mapJson);
  if (!isObject(parsed)) throw malformed('the ‘map’ field must be a JSON object');
  const entries = Object.entries(parsed);
  if (entries.length > maxFiles) throw tooManyFiles(maxFiles);
  const uploads = new Map<string, RequestUpload>();
  for (const [key, paths] of entries) {
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
      throw malformed(`map entry ‘${key}’ must be a non-empty array of paths`);
    }
    const upload = new RequestUpload(body, paths.length);
    for (const path of paths as string[]) {
      const segments = path.split('.');
      const last = segments.pop() as string;
      const parent = containerAt(operations, segments);
      if (!parent || !Object.hasOwn(parent, last) || parent[last] !== null) {
        throw malformed(`map entry ‘${key}’ names ‘${path}’, which is not a null in the operations`);
      }
      parent[last] = upload;
    }
    uploads.set(key, upload);
  }
  return uploads;
}

class MultipartReader implements BodyDemand {
  private readonly req: Request;
  private readonly limits: MultipartLimits;
  private readonly parser: busboy.Busboy;
  private operationsJson: string | undefined;
  private uploads: Map<string, RequestUpload> | undefined;
  private failure: RequestRefused | undefined;
  private released = false;
  private settled = false;
  /** The latest part the parser reached: while nobody reads it, the parser waits on it. */
  private current: FilePart | undefined;
  /** Uploads whose resolver waits for a part the parser has not reached. */
  private readonly wanted = new Set<RequestUpload>();
  private wholeWanted = false;
  readonly whole: Promise<void>;
  private resolveWhole!: () => void;
  private rejectWhole!: (error: unknown) => void;
  readonly parsed: Promise<ParsedMultipart>;
  private resolveParsed!: (parsed: ParsedMultipart) => void;
  private rejectParsed!: (error: unknown) => void;

  constructor(req: Request, limits: MultipartLimits) {
    this.req = req;
    this.limits = limits;
    this.whole = new Promise((resolve, reject) => {
      this.resolveWhole = resolve;
      this.rejectWhole = reject;
    });
    this.whole.catch(() => undefined);
    this.parsed = new Promise((resolve, reject) => {
      this.resolveParsed = resolve;
      this.rejectParsed = reject;
    });
    this.parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: {
        fieldSize: limits.maxFieldBytes,
        // operations and map; a third is read only to say what it is (fieldAfterMap).
        fields: 3,
        // busboy reports a file of exactly `fileSize` bytes as truncated: +1 makes the limit inclusive.
        fileSize: limits.maxFileBytes + 1,
        files: limits.maxFiles,
      },
    });
  }

  start(): void {
    const { parser, req } = this;
    parser.on('field', (name, value, info) =>
      this.guarded(() => this.field(name, value, info.valueTruncated)),
    );
    parser.on('file', (key, stream, info) => this.file(key, stream, info));
    parser.on('filesLimit', () => this.refuse(tooManyFiles(this.limits.maxFiles)));
    parser.on('error', (error: Error) =>
      this.refuse(/part header/i.test(error.message) ? malformedPartHeader() : malformed(error.message)),
    );
    parser.on('close', () => this.end());
    req.on('close', () => {
      if (!req.readableEnded) this.refuse(interrupted());
    });
    req.pipe(parser);
  }

  /** The response is gone: temp files go as soon as nobody reads them, later parts are dropped. */
  release(): void {
    this.released = true;
    if (!this.req.complete) this.stop();
    this.refuse(interrupted());
    const reason = this.failure ?? interrupted();
    for (const upload of this.uploads?.values() ?? []) upload.part?.release(reason);
  }

  wantsPart(upload: RequestUpload): void {
    this.wanted.add(upload);
    // The part the parser sits on is another's: keep it on disk and go on to this one.
    this.current?.spool();
  }

  wantsWhole(): Promise<void> {
    this.wholeWanted = true;
    this.current?.spool();
    return this.whole;
  }

  private guarded(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.refuse(error as AppError);
    }
  }

  private field(name: string, value: string, truncated: boolean): void {
    if (this.uploads) return this.refuse(fieldAfterMap(name, this.uploads.has(name)));
    if (truncated) throw malformed(`the ‘${name}’ field is larger than ${this.limits.maxFieldBytes} bytes`);
    if (name === 'operations') {
      this.operationsJson = value;
      return;
    }
    if (name !== 'map') throw malformed(`unexpected field ‘${name}’ before the files`);
    if (this.operationsJson === undefined) throw malformed('the ‘map’ field must follow ‘operations’');
    // Before anything of the request is used: are these the fields the gateway signed?
    const refusal = verifyMultipartFields(this.req, this.operationsJson, value);
    if (refusal) {
      this.stop();
      this.settled = true;
      this.resolveParsed({ unsigned: refusal });
      return;
    }
    const operations = parseJson('operations', this.operationsJson);
    if (Array.isArray(operations)) throw malformed('batched operations are not supported');
    if (!isObject(operations)) throw malformed('the ‘operations’ field must be a JSON object');
    this.uploads = placeUploads(operations, value, this.limits.maxFiles, this);
    this.resolveParsed({ operations });
  }

  private file(key: string, stream: Readable, info: busboy.FileInfo): void {
    const uploads = this.uploads;
    // A part the parser stops in the middle of fails; whoever reads it sees that through the capacitor.
    stream.on('error', () => undefined);
    if (this.failure || this.released || !uploads) {
      stream.resume();
      if (!uploads) this.refuse(malformed('files must follow the ‘operations’ and ‘map’ fields'));
      return;
    }
    const filename = info.filename ?? '';
    const problem = filenameProblem(filename);
    const upload = uploads.get(key);
    const refusal = !upload
      ? unmappedPart(key)
      : upload.part
        ? partSentTwice(key)
        : problem
          ? badFilename(key, problem)
          : undefined;
    if (!upload || refusal) {
      stream.resume();
      this.refuse(refusal ?? unmappedPart(key));
      return;
    }
    const part = new FilePart(
      { fieldName: key, filename, mimetype: info.mimeType, encoding: info.encoding },
      stream,
      this.limits.maxFileBytes,
    );
    const wantedHere = this.wanted.delete(upload);
    upload.attach(part);
    this.current = part;
    // A file placed at several paths is read once per place: only a temp file can be read again.
    if (upload.places > 1) part.spool();
    // Someone waits for what lies beyond this part: it must not hold the parser up.
    else if (!wantedHere && (this.wholeWanted || this.wanted.size > 0)) part.spool();
  }

  private end(): void {
    if (this.failure || this.settled) return;
    if (!this.uploads) {
      this.refuse(
        malformed(
          this.operationsJson === undefined
            ? 'the ‘operations’ field is missing'
            : 'the ‘map’ field is missing',
        ),
      );
      return;
    }
    const missing = [...this.uploads].filter(([, upload]) => !upload.part).map(([key]) => key);
    if (missing.length > 0) {
      this.refuse(missingPart(missing));
      return;
    }
    this.settled = true;
    this.resolveWhole();
  }

  /** Refuses the whole request: every file that has not come fails, and `whole` rejects. */
  private refuse(error: AppError): void {
    if (this.failure || this.settled) return;
    const refused = new RequestRefused(error);
    this.failure = refused;
    for (const upload of this.uploads?.values() ?? []) if (!upload.part) upload.refuse(refused);
    this.rejectWhole(refused);
    this.rejectParsed(refused);
    this.stop();
  }

  /** Stops parsing and lets the rest of the body drain, so the connection stays usable. */
  private stop(): void {
    this.req.unpipe(this.parser);
    this.parser.destroy();
    // Scheduled: events of the same tick may pause the request again after the parser is gone.
    setImmediate(() => {
      if (!this.req.destroyed) this.req.resume();
    });
  }
}

/**
 * Starts reading `req`; answers once `operations` and `map` are in (files in place as
 * `RequestUpload`s), or the signature refusal. Rejects with a RequestRefused for a
 * malformed request. Temp files are released when the response closes.
 */
export function readMultipart(
  req: Request,
  res: Response,
  limits: MultipartLimits,
): Promise<ParsedMultipart> {
  const reader = new MultipartReader(req, limits);
  res.once('close', () => reader.release());
  reader.start();
  return reader.parsed;
}
