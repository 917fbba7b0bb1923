import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { ObjectStore } from '@docuvault/shared/object-store/client';
import type { ExtractionAnswer, ExtractionRequest } from './extraction-child.ts';
import { isExtractable, type Extraction, type ExtractionLimits } from './extract.ts';
import {
  extractionCrashed,
  memoryLimit,
  missingObject,
  timeLimit,
  UnreadableDocumentError,
  unsupportedType,
  type UnreadableCode,
} from './extraction.errors.ts';

const CHILD = fileURLToPath(new URL('./extraction-child.ts', import.meta.url));
/** Node's own code and libraries, mapped from files, outside the data limit (~45 MB measured). */
export const NODE_CODE_MB = 64;
const STDERR_TAIL = 4_096;
const SAMPLE_MS = 100;
const HEAP_OUT_OF_MEMORY = /heap limit|out of memory|allocation failed/i;

export interface SandboxSettings {
  /** The extraction process's resident memory stays below this (see README, "Limits"). */
  memoryLimitMb: number;
  timeoutMs: number;
  limits: ExtractionLimits;
  ocr: 'auto' | 'off';
  /** Where tesseract/pdftoppm are looked for; also the child's PATH. */
  searchPath: string;
  /** Told how each extraction went (its peak memory included), whatever the outcome. */
  report?(facts: { mimeType: string; ms: number; peakRssBytes: number; outcome: string }): void;
}

export interface SandboxedExtraction extends Extraction {
  /** The extraction process's peak resident memory (its own report, or the last sample). */
  peakRssBytes: number;
}

/**
 * The command that starts an extraction process: the kernel caps its data segment
 * (RLIMIT_DATA, so Buffers and native allocations fail past it) and V8 its heap, leaving
 * Node's code outside both; the resident total stays below `memoryLimitMb`.
 */
export function childCommand(memoryLimitMb: number): { command: string; args: string[] } {
  const dataKb = (memoryLimitMb - NODE_CODE_MB) * 1024;
  const heapMb = Math.floor(memoryLimitMb / 2);
  return {
    command: '/bin/sh',
    args: [
      '-c',
      'ulimit -d "$0" && exec "$@"',
      String(dataKb),
      process.execPath,
      `--max-old-space-size=${heapMb}`,
      '--disable-warning=ExperimentalWarning',
      CHILD,
    ],
  };
}

async function openObject(store: ObjectStore, key: string): Promise<Readable> {
  try {
    return await store.client.getObject(store.bucket, key);
  } catch (error) {
    if ((error as { code?: string }).code === 'NoSuchKey') throw missingObject(key);
    throw error;
  }
}

/** VmHWM (peak resident set) of a live process, in bytes; 0 where /proc cannot tell. */
export async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** Kills the process group: the child and any pdftoppm/tesseract it started. */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

interface Ending {
  answer: ExtractionAnswer | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function outcome(
  ending: Ending,
  settings: SandboxSettings,
  stoppedBy: 'time' | 'cancel' | undefined,
): Extraction {
  const { answer } = ending;
  if (answer?.ok) return answer.extraction;
  if (stoppedBy === 'time') throw timeLimit(Math.round(settings.timeoutMs / 1000));
  if (answer?.memory || HEAP_OUT_OF_MEMORY.test(ending.stderr)) throw memoryLimit(settings.memoryLimitMb);
  if (answer?.code) throw new UnreadableDocumentError(answer.code as UnreadableCode, answer.message);
  // Any other error of the parsers (not of the file's limits) may be passing: retried.
  if (answer) throw new Error(answer.message);
  throw extractionCrashed(ending.signal ? `signal ${ending.signal}` : `exit code ${ending.code}`);
}

/**
 * The text of a stored object, read by a child process under the memory and time limits
 * of `settings`. The object streams from the bucket into the child; the worker itself
 * never parses a byte of it. `signal` (shutdown, or the document was deleted) kills the
 * child and rejects with its reason. A limit overrun rejects with an
 * UnreadableDocumentError saying which limit, the first time it happens.
 */
export async function extractInSandbox(
  store: ObjectStore,
  objectKey: string,
  mimeType: string,
  settings: SandboxSettings,
  signal: AbortSignal,
): Promise<SandboxedExtraction> {
  if (!isExtractable(mimeType)) throw unsupportedType(mimeType);
  const body = await openObject(store, objectKey);
  if (signal.aborted) {
    body.destroy();
    throw signal.reason;
  }
  const { command, args } = childCommand(settings.memoryLimitMb);
  const child = spawn(command, args, {
    stdio: ['pipe', 'ignore', 'pipe', 'ipc'],
    env: { PATH: settings.searchPath },
    // Its own process group, so a kill reaches the OCR commands it runs too.
    detached: true,
  });
  let stoppedBy: 'time' | 'cancel' | undefined;
  let downloadError: unknown;
  let peak = 0;
  let stderr = '';
  let answer: ExtractionAnswer | undefined;
  const stop = (why: 'time' | 'cancel') => {
    stoppedBy ??= why;
    killGroup(child);
  };
  const onAbort = () => stop('cancel');
  signal.addEventListener('abort', onAbort, { once: true });
  const deadline = setTimeout(() => stop('time'), settings.timeoutMs);
  const sampler = setInterval(() => {
    if (child.pid) void peakRss(child.pid).then((bytes) => (peak = Math.max(peak, bytes)));
  }, SAMPLE_MS);
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL)));
  child.on('message', (message: ExtractionAnswer) => (answer = message));
  const closed = new Promise<Ending>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, exitSignal) => resolve({ answer, code, signal: exitSignal, stderr }));
  });
  // The child stops reading early (text cap reached, or it died): a broken pipe is expected.
  child.stdin!.on('error', () => undefined);
  const started = performance.now();
  let result = 'failed';
  const download = pipeline(body, child.stdin!).catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || answer || stoppedBy) return;
    downloadError = error;
    killGroup(child);
  });
  try {
    const request: ExtractionRequest = {
      mimeType,
      limits: settings.limits,
      ocr: settings.ocr,
      searchPath: settings.searchPath,
      timeoutMs: settings.timeoutMs,
    };
    child.send(request, (error) => {
      if (error) killGroup(child);
    });
    const ending = await closed;
    await download;
    if (stoppedBy === 'cancel') throw signal.reason;
    if (downloadError !== undefined) throw downloadError;
    peak = Math.max(peak, (ending.answer?.maxRssKb ?? 0) * 1024);
    const extraction = outcome(ending, settings, stoppedBy);
    result = 'extracted';
    return { ...extraction, peakRssBytes: peak };
  } catch (error) {
    result = stoppedBy === 'cancel' ? 'cancelled' : ((error as { code?: string }).code ?? 'failed');
    throw error;
  } finally {
    settings.report?.({
      mimeType,
      ms: Math.round(performance.now() - started),
      peakRssBytes: peak,
      outcome: result,
    });
    clearTimeout(deadline);
    clearInterval(sampler);
    signal.removeEventListener('abort', onAbort);
    killGroup(child);
    body.destroy();
  }
}
