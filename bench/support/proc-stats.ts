import { readFileSync } from 'node:fs';

// Memory and CPU of server processes, read from /proc (Linux): resident set size sampled
// every 100 ms (its peak over a measurement), and CPU time used (user + system).

const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux this runs on

/** VmRSS in bytes. */
export function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** CPU seconds (user + system) used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export interface ProcessUsage {
  /** RSS just before the measurement. */
  idleRss: number;
  /** Highest RSS sampled during it. */
  peakRss: number;
  cpuSeconds: number;
}

/** Samples `pids` every `intervalMs` until `stop()`, which answers each one's usage. */
export function sampleUsage(pids: Record<string, number>, intervalMs = 100) {
  const names = Object.keys(pids);
  const start = Object.fromEntries(
    names.map((name) => [name, { rss: rssOf(pids[name]!), cpu: cpuSecondsOf(pids[name]!) }]),
  );
  const peak = Object.fromEntries(names.map((name) => [name, start[name]!.rss]));
  const sample = () => {
    for (const name of names) peak[name] = Math.max(peak[name]!, rssOf(pids[name]!));
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): Record<string, ProcessUsage> {
      clearInterval(timer);
      sample();
      return Object.fromEntries(
        names.map((name) => [
          name,
          {
            idleRss: start[name]!.rss,
            peakRss: peak[name]!,
            cpuSeconds: cpuSecondsOf(pids[name]!) - start[name]!.cpu,
          },
        ]),
      );
    },
  };
}
