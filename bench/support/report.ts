import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Ratio, Side } from './compare.ts';
import type { LoadResult } from './load.ts';

// The Markdown the suite prints and writes: a header describing the machine and the run,
// one table row per figure, and the notes that say how each figure was obtained.

export interface Row {
  scenario: string;
  measured: string;
  reference: string;
  ratio: string;
  target: string;
  /** undefined: nothing to meet (an informational row). */
  met?: boolean;
}

export interface ScenarioResult {
  rows: Row[];
  notes: string[];
}

export interface RunInfo {
  started: Date;
  loadAverage: number[];
  services: string;
}

export const startInfo = (services: string, loadAverage: number[]): RunInfo => ({
  started: new Date(),
  loadAverage,
  services,
});

const commit = (): string => {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' (with local changes)' : ''}`;
  } catch {
    return 'unknown';
  }
};

// Figures, rounded to what a noisy 2-core machine can tell apart.
export const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
export const rps = (value: number) => `${Math.round(value)} req/s`;
export const cpuMs = (value: number) => `${value.toFixed(2)} ms CPU`;
export const times = (value: number) => `${value.toFixed(2)}×`;
export const mb = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;
export const failures = (r: LoadResult) => (r.failed > 0 ? ` — **${r.failed} failed**` : '');
export const loadFigures = (r: LoadResult, p50 = true) =>
  `${rps(r.rps)}, ${p50 ? `p50 ${ms(r.p50)}, ` : ''}p99 ${ms(r.p99)}${failures(r)}`;

/** A compared side: median req/s of its rounds and their range, the median round's latencies. */
export const sideFigures = (side: Side, p50 = true) => {
  const r = side.median;
  const failed = side.rounds.reduce((sum, round) => sum + round.failed, 0);
  return (
    `median ${rps(r.rps)} (${Math.round(side.min)}–${Math.round(side.max)} over ${side.rounds.length} rounds), ` +
    `${p50 ? `p50 ${ms(r.p50)}, ` : ''}p99 ${ms(r.p99)}${failed > 0 ? ` — **${failed} failed**` : ''}`
  );
};
/** A same-round ratio: its median and range over the rounds. */
export const ratioFigures = (ratio: Ratio) =>
  `${times(ratio.median)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`;
/** Every round's ratio, in order, for the notes. */
export const perRound = (ratio: Ratio) => ratio.perRound.map((value) => value.toFixed(2)).join(', ');
/** No side of a comparison had a failed request in any round. */
export const noFailures = (...sides: Side[]) => sides.every((s) => s.rounds.every((r) => r.failed === 0));

const loadAverage = (values: number[]) => values.map((l) => l.toFixed(2)).join(', ');

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderReport(info: RunInfo, results: ScenarioResult[], elapsedMs: number): string {
  const cpus = os.cpus();
  const header = [
    '| scenario | measured | reference (same run) | ratio | target | met? |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const rows = results.flatMap((r) =>
    r.rows.map((row) =>
      [
        row.scenario,
        row.measured,
        row.reference,
        row.ratio,
        row.target,
        row.met === undefined ? '—' : row.met ? 'met' : '**not met**',
      ]
        .map(cell)
        .join(' | '),
    ),
  );
  const notes = results.flatMap((r) => r.notes);
  return [
    `- machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB memory, ${os.type()} ${os.release()}`,
    `- Node ${process.version}; commit ${commit()}`,
    `- date: ${info.started.toISOString()}; load average (1, 5, 15 min) at start: ${loadAverage(info.loadAverage)}, ` +
      `at the end: ${loadAverage(os.loadavg())}`,
    `- services: ${info.services}`,
    `- whole run: ${(elapsedMs / 1000).toFixed(0)} s`,
    '',
    ...header,
    ...rows.map((row) => `| ${row} |`),
    '',
    ...notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}
