import { spawn } from 'node:child_process';
import { stderrWatch } from '../classification/text/extraction-process.ts';

// One renderer run under the same kind of caps as text extraction
// (classification/text/extraction-process.ts): the kernel limits its data segment
// (RLIMIT_DATA: heap, mmap'd buffers and native allocations fail past it) and the worker
// kills it, with anything it started (it leads its own process group), at its deadline.
// Unlike extraction, a renderer is started per document and not kept warm: pdftoppm is a
// command anyway, and a thumbnail is made once per document.

export interface Caps {
  /** Data segment limit of the renderer, in MB. */
  memoryLimitMb: number;
  /** The run is killed at this moment (or when `signal` aborts). */
  signal: AbortSignal;
  /** The renderer's PATH (the worker's search path). */
  searchPath: string;
}

export type CommandEnding =
  { ok: true } | { ok: false; reason: string; outOfMemory: boolean; stopped: boolean };

/** `/bin/sh -c 'ulimit -d <kb> && exec "$@"' <kb> command args…`: the limit is set before exec. */
export function cappedArgs(memoryLimitMb: number, command: string, args: readonly string[]): string[] {
  return ['-c', 'ulimit -d "$0" && exec "$@"', String(memoryLimitMb * 1024), command, ...args];
}

const describeExit = (code: number | null, signal: NodeJS.Signals | null, stderr: string): string => {
  const how = signal ? `killed by ${signal}` : `exit code ${code}`;
  const said = stderr.trim().split('\n').slice(-3).join(' | ');
  return said ? `${how}: ${said}` : how;
};

/** Runs `command` capped; resolves with how it ended, never rejects for the command's sake. */
export function runCapped(command: string, args: readonly string[], caps: Caps): Promise<CommandEnding> {
  return new Promise((resolve) => {
    if (caps.signal.aborted) {
      resolve({ ok: false, reason: 'stopped before it started', outOfMemory: false, stopped: true });
      return;
    }
    const child = spawn('/bin/sh', cappedArgs(caps.memoryLimitMb, command, args), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: caps.searchPath },
      detached: true,
    });
    const stderr = stderrWatch();
    child.stderr!.on('data', (chunk: Buffer) => stderr.add(chunk.toString()));
    let stopped = false;
    const kill = () => {
      stopped = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    caps.signal.addEventListener('abort', kill, { once: true });
    const finish = (ending: CommandEnding) => {
      caps.signal.removeEventListener('abort', kill);
      resolve(ending);
    };
    child.once('error', (error) => finish({ ok: false, reason: error.message, outOfMemory: false, stopped }));
    child.once('close', (code, signal) => {
      if (code === 0 && !stopped) finish({ ok: true });
      else
        finish({
          ok: false,
          reason: stopped ? 'stopped at its deadline' : describeExit(code, signal, stderr.tail),
          outOfMemory: stderr.outOfMemory,
          stopped,
        });
    });
  });
}
