import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ExtractionAnswer, ExtractionRequest } from './extraction-child.ts';

const CHILD = fileURLToPath(new URL('./extraction-child.ts', import.meta.url));
/** Node's own code and libraries, mapped from files, outside the data limit (~45 MB measured). */
export const NODE_CODE_MB = 64;
const STDERR_TAIL = 4_096;
/** What V8 or the allocator prints when the process ran out of memory under its caps. */
const OUT_OF_MEMORY = /heap limit|out of memory|allocation failed|bad_alloc/i;

/**
 * The tail of a process's stderr, and whether it ever said it ran out of memory: V8 prints
 * that line before a native stack trace that can be longer than the tail kept.
 */
export function stderrWatch(): {
  add(chunk: string): void;
  readonly tail: string;
  readonly outOfMemory: boolean;
} {
  let tail = '';
  let outOfMemory = false;
  return {
    add(chunk) {
      const text = tail + chunk;
      if (OUT_OF_MEMORY.test(text)) outOfMemory = true;
      tail = text.slice(-STDERR_TAIL);
    },
    get tail() {
      return tail;
    },
    get outOfMemory() {
      return outOfMemory;
    },
  };
}

/**
 * The command that starts an extraction process: the kernel caps its data segment
 * (RLIMIT_DATA: Buffers, the heap and native allocations all fail past it) and V8 its
 * heap, leaving Node's code outside both; its resident total stays below `memoryLimitMb`.
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

/** A /proc status field of a live process, in bytes; 0 where /proc cannot tell. */
export async function procMemory(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1];
  return kb ? Number(kb) * 1024 : 0;
}

/** How a request ended: the child's answer, or its death. */
export type RequestEnding =
  | { answer: ExtractionAnswer }
  | {
      answer?: undefined;
      code: number | null;
      signal: NodeJS.Signals | null;
      stderr: string;
      /** It said it ran out of memory at some point (see stderrWatch). */
      outOfMemory: boolean;
    };

/**
 * One extraction process. It serves requests one at a time and may serve many; it is
 * killed (with any OCR command it started: it leads its own process group) on a deadline,
 * a cancellation or anything unexpected, and never reused after that.
 */
export class ExtractionProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<RequestEnding>;
  private readonly stderr = stderrWatch();
  private nextId = 1;
  /** Requests answered so far. */
  served = 0;

  constructor(memoryLimitMb: number, searchPath: string) {
    const { command, args } = childCommand(memoryLimitMb);
    this.child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { PATH: searchPath },
      detached: true,
    });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr.add(chunk.toString());
    });
    this.exited = new Promise((resolve) => {
      const died = (code: number | null, signal: NodeJS.Signals | null) =>
        resolve({ code, signal, stderr: this.stderr.tail, outOfMemory: this.stderr.outOfMemory });
      // 'close' comes after the IPC channel has delivered every message the child sent.
      this.child.once('close', died);
      this.child.once('error', () => died(null, null));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.connected;
  }

  /** Sends one request; resolves with its answer, or with the process's death. */
  run(request: Omit<ExtractionRequest, 'id'>): Promise<RequestEnding> {
    const id = this.nextId++;
    const answered = new Promise<RequestEnding>((resolve) => {
      const onMessage = (answer: ExtractionAnswer) => {
        if (answer.id !== id) return;
        this.child.off('message', onMessage);
        this.served++;
        resolve({ answer });
      };
      this.child.on('message', onMessage);
    });
    this.child.send({ ...request, id } satisfies ExtractionRequest, (error) => {
      if (error) this.kill();
    });
    return Promise.race([answered, this.exited]);
  }

  /** Current resident memory, to decide whether the process is fit for another document. */
  rss(): Promise<number> {
    return this.child.pid ? procMemory(this.child.pid, 'VmRSS') : Promise.resolve(0);
  }

  peak(): Promise<number> {
    return this.child.pid ? procMemory(this.child.pid, 'VmHWM') : Promise.resolve(0);
  }

  kill(): void {
    const { child } = this;
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
}
