import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import { isExtractable, type Extraction, type ExtractionLimits } from './extract.ts';
import { ExtractionProcess, type RequestEnding } from './extraction-process.ts';
import type { OcrSettings } from './ocr/engine.ts';
import {
  extractionCrashed,
  memoryLimit,
  missingObject,
  timeLimit,
  UnreadableDocumentError,
  unsupportedType,
  type UnreadableCode,
} from './extraction.errors.ts';

/** A process is replaced after this many documents, whatever its memory says. */
export const MAX_DOCUMENTS_PER_PROCESS = 1_000;
const SAMPLE_MS = 100;

export interface SandboxSettings {
  /** An extraction process's resident memory stays below this (see README, "Limits"). */
  memoryLimitMb: number;
  /** Download, parsing and OCR of one document together. */
  timeoutMs: number;
  limits: ExtractionLimits;
  ocr: OcrSettings;
  /** Where tesseract/pdftoppm are looked for; also the processes' PATH. */
  searchPath: string;
  /** Told how each extraction went (its peak memory included), whatever the outcome. */
  report?(facts: { mimeType: string; ms: number; peakRssBytes: number; outcome: string }): void;
}

export interface SandboxedExtraction extends Extraction {
  /** Peak resident memory of the process that read it (over its life: an upper bound). */
  peakRssBytes: number;
}

/** The stored object into a private temporary file, unless `stop` aborts first. */
async function download(store: ObjectStore, key: string, file: string, stop: AbortSignal): Promise<void> {
  let body;
  try {
    body = await store.client.getObject(store.bucket, key);
  } catch (error) {
    if ((error as { code?: string }).code === 'NoSuchKey') throw missingObject(key);
    throw error;
  }
  await pipeline(body, createWriteStream(file, { mode: 0o600 }), { signal: stop });
}

/** What the end of a request means for the document. */
function verdict(ending: RequestEnding, memoryLimitMb: number): Extraction {
  const { answer } = ending;
  if (answer?.ok) return answer.extraction;
  if (answer?.memory || (!answer && ending.outOfMemory)) throw memoryLimit(memoryLimitMb);
  if (answer?.code) throw new UnreadableDocumentError(answer.code as UnreadableCode, answer.message);
  // Any other error of the parsers (not of the file's limits) may be passing: retried.
  if (answer) throw new Error(answer.message);
  throw extractionCrashed(ending.signal ? `signal ${ending.signal}` : `exit code ${ending.code}`);
}

/** The process's own state (not the file) may be to blame: judge the file again in a new one. */
const worthAFreshProcess = (ending: RequestEnding) => !ending.answer?.ok && !ending.answer?.code;

/**
 * Text extraction in child processes (extraction-child.ts) under a memory limit and a
 * deadline: the worker never parses a byte of a file. Processes are kept warm between
 * documents (starting one and loading pdf.js costs more than most documents), replaced
 * after MAX_DOCUMENTS_PER_PROCESS documents or once they hold half their limit, and killed
 * on any overrun. An overrun in a process that had served other documents is judged again
 * in a fresh one, so a document fails only for what it does itself.
 */
export class ExtractionSandbox {
  private readonly settings: SandboxSettings;
  private readonly idle: ExtractionProcess[] = [];
  private readonly busy = new Set<ExtractionProcess>();
  private closed = false;

  constructor(settings: SandboxSettings) {
    this.settings = settings;
  }

  /**
   * The text of a stored object. `signal` (shutdown, or the document was deleted) kills
   * its process and rejects with its reason; an overrun rejects with an
   * UnreadableDocumentError saying which limit.
   */
  async extract(
    store: ObjectStore,
    objectKey: string,
    mimeType: string,
    signal: AbortSignal,
  ): Promise<SandboxedExtraction> {
    if (!isExtractable(mimeType)) throw unsupportedType(mimeType);
    const started = performance.now();
    const deadline = AbortSignal.timeout(this.settings.timeoutMs);
    const stop = AbortSignal.any([signal, deadline]);
    const peak = { bytes: 0 };
    let outcome = 'failed';
    const dir = await mkdtemp(path.join(tmpdir(), 'docuvault-extract-'));
    try {
      const file = path.join(dir, 'object');
      await download(store, objectKey, file, stop).catch((error: unknown) => {
        throw stop.aborted ? this.stopReason(signal) : error;
      });
      // OCR stops starting pages it could not finish before the document's deadline.
      const ocr = {
        ...this.settings.ocr,
        deadline: Date.now() + this.settings.timeoutMs - (performance.now() - started),
      };
      const request = { path: file, mimeType, limits: this.settings.limits, ocr };
      let ending = await this.run(this.take(), request, stop, peak);
      if (worthAFreshProcess(ending) && ending.reused && !stop.aborted)
        ending = await this.run(this.spawn(), request, stop, peak);
      if (stop.aborted) throw this.stopReason(signal);
      const extraction = verdict(ending, this.settings.memoryLimitMb);
      outcome = 'extracted';
      return { ...extraction, peakRssBytes: peak.bytes };
    } catch (error) {
      outcome = signal.aborted ? 'cancelled' : ((error as { code?: string }).code ?? 'failed');
      throw error;
    } finally {
      await rm(dir, { recursive: true, force: true });
      this.settings.report?.({
        mimeType,
        ms: Math.round(performance.now() - started),
        peakRssBytes: peak.bytes,
        outcome,
      });
    }
  }

  /** Kills every process; running extractions end as crashed. */
  close(): void {
    this.closed = true;
    for (const child of [...this.idle.splice(0), ...this.busy]) child.kill();
  }

  private stopReason(signal: AbortSignal): unknown {
    return signal.aborted ? signal.reason : timeLimit(Math.round(this.settings.timeoutMs / 1000));
  }

  private spawn(): ExtractionProcess {
    return new ExtractionProcess(this.settings.memoryLimitMb, this.settings.searchPath);
  }

  private take(): ExtractionProcess {
    let child = this.idle.pop();
    while (child && !child.alive) child = this.idle.pop();
    return child ?? this.spawn();
  }

  private async run(
    child: ExtractionProcess,
    request: { path: string; mimeType: string; limits: ExtractionLimits; ocr: OcrSettings },
    stop: AbortSignal,
    peak: { bytes: number },
  ): Promise<RequestEnding & { reused: boolean }> {
    const reused = child.served > 0;
    this.busy.add(child);
    const kill = () => child.kill();
    stop.addEventListener('abort', kill, { once: true });
    if (stop.aborted) kill();
    const sampler = setInterval(() => {
      void child.peak().then((bytes) => (peak.bytes = Math.max(peak.bytes, bytes)));
    }, SAMPLE_MS);
    try {
      const ending = await child.run({ ...request, searchPath: this.settings.searchPath });
      peak.bytes = Math.max(peak.bytes, (ending.answer?.maxRssKb ?? 0) * 1024);
      await this.release(child, ending);
      return { ...ending, reused };
    } finally {
      clearInterval(sampler);
      stop.removeEventListener('abort', kill);
      this.busy.delete(child);
    }
  }

  /** Back to the idle ones if it answered normally and is fit for more; killed otherwise. */
  private async release(child: ExtractionProcess, ending: RequestEnding): Promise<void> {
    const fit =
      !this.closed &&
      child.alive &&
      (ending.answer?.ok === true || ending.answer?.code !== undefined) &&
      child.served < MAX_DOCUMENTS_PER_PROCESS &&
      (await child.rss()) < (this.settings.memoryLimitMb * 1024 * 1024) / 2;
    if (fit) this.idle.push(child);
    else child.kill();
  }
}
