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

/** What a run was measured on and when: enough to judge its figures next to another run's. */
export interface RunRecord {
  /** ISO date of the start; also the run's key in bench/results/latest.json. */
  started: string;
  commit: string;
  node: string;
  machine: string;
  /** Load average (1, 5, 15 min) at the start and at the end. */
  loadStart: number[];
  loadEnd: number[];
  services: string;
  elapsedS: number;
  /** Facts of the run that belong to no one scenario (the seeding). */
  notes: string[];
}

export function runRecord(
  started: Date,
  loadStart: number[],
  services: string,
  elapsedMs: number,
  notes: string[],
): RunRecord {
  const cpus = os.cpus();
  return {
    started: started.toISOString(),
    commit: commit(),
    node: process.version,
    machine:
      `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB memory, ${os.type()} ${os.release()}`,
    loadStart,
    loadEnd: os.loadavg(),
    services,
    elapsedS: Math.round(elapsedMs / 1000),
    notes,
  };
}

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

/** The run's facts as list items. */
export const runLines = (run: RunRecord): string[] => [
  `machine: ${run.machine}`,
  `Node ${run.node}; commit ${run.commit}`,
  `date: ${run.started}; load average (1, 5, 15 min) at start: ${loadAverage(run.loadStart)}, ` +
    `at the end: ${loadAverage(run.loadEnd)}`,
  `services: ${run.services}`,
  `whole run: ${run.elapsedS} s`,
  ...run.notes,
];

/** The table; with `runOf`, a last column names the run each row comes from. */
export function renderTable(rows: Row[], runOf?: (row: Row) => string): string[] {
  const columns = ['scenario', 'measured', 'reference (same run)', 'ratio', 'target', 'met?'];
  if (runOf) columns.push('run');
  const lines = rows.map((row) => {
    const cells = [
      row.scenario,
      row.measured,
      row.reference,
      row.ratio,
      row.target,
      row.met === undefined ? '—' : row.met ? 'met' : '**not met**',
    ];
    if (runOf) cells.push(runOf(row));
    return `| ${cells.map(cell).join(' | ')} |`;
  });
  return [`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`, ...lines];
}

/** One run's report, as printed at its end. */
export function renderReport(run: RunRecord, results: ScenarioResult[]): string {
  return [
    ...runLines(run).map((line) => `- ${line}`),
    '',
    ...renderTable(results.flatMap((r) => r.rows)),
    '',
    ...results.flatMap((r) => r.notes).map((note) => `- ${note}`),
    '',
  ].join('\n');
}
