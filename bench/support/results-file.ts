import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderTable, runLines, type RunRecord, type ScenarioResult } from './report.ts';

// bench/results/latest.md holds the latest figures of every scenario, each row naming
// the run that measured it. `npm run bench` measures every scenario in one run;
// `BENCH_ONLY=…` measures some, and replaces only their rows, so one slow scenario (the
// 100 000-document search seed) does not force re-running the rest to refresh a row.
// Every ratio is taken within one run (both sides measured together); rows of different
// runs are never compared with each other. The figures are kept in latest.json beside
// the Markdown, which is rendered from it.

export const RESULTS_DIR = path.join(import.meta.dirname, '..', 'results');
const JSON_FILE = path.join(RESULTS_DIR, 'latest.json');
const MARKDOWN_FILE = path.join(RESULTS_DIR, 'latest.md');

export interface StoredScenario {
  /** The scenario's key in bench/run-all.ts (its file name). */
  key: string;
  /** The `started` of the run that measured it. */
  run: string;
  result: ScenarioResult;
}

export interface ResultsFile {
  runs: Record<string, RunRecord>;
  scenarios: StoredScenario[];
}

export async function readResults(file = JSON_FILE): Promise<ResultsFile> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ResultsFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { runs: {}, scenarios: [] };
    throw error;
  }
}

/**
 * The stored results with `measured` (this run's scenarios, by key) in place of earlier
 * figures of the same scenarios, in the order of `order`; runs no row refers to any more
 * are dropped.
 */
export function mergeResults(
  stored: ResultsFile,
  run: RunRecord,
  measured: Map<string, ScenarioResult>,
  order: string[],
): ResultsFile {
  const byKey = new Map(stored.scenarios.map((entry) => [entry.key, entry]));
  for (const [key, result] of measured) byKey.set(key, { key, run: run.started, result });
  // `search@1000000` (another vault size, bench/run-all.ts) sorts with `search`, after it.
  const rank = (key: string) => {
    const base = key.split('@')[0]!;
    return (order.includes(base) ? order.indexOf(base) : order.length) + (base === key ? 0 : 0.5);
  };
  const scenarios = [...byKey.values()].sort((a, b) => rank(a.key) - rank(b.key));
  const runs: Record<string, RunRecord> = {};
  for (const entry of scenarios) {
    const record = entry.run === run.started ? run : stored.runs[entry.run];
    if (record) runs[entry.run] = record;
  }
  return { runs, scenarios };
}

/** The Markdown: each run's facts under a number, the table with each row's run, the notes by scenario. */
export function renderResults(results: ResultsFile): string {
  const started = Object.keys(results.runs).sort();
  const label = (run: string) => `run ${started.indexOf(run) + 1}`;
  const rowRun = new Map(results.scenarios.flatMap((e) => e.result.rows.map((row) => [row, label(e.run)])));
  const lines = [
    '# Benchmark results',
    '',
    '`npm run bench` (every scenario in one run) or `BENCH_ONLY=<scenarios> npm run bench` (those',
    "scenarios' rows replaced). Ratios are within one run; rows of different runs are not comparable.",
    '',
  ];
  for (const run of started) {
    lines.push(`## ${label(run)}`, '', ...runLines(results.runs[run]!).map((line) => `- ${line}`), '');
  }
  lines.push('## Figures', '', ...renderTable([...rowRun.keys()], (row) => rowRun.get(row)!), '');
  for (const entry of results.scenarios) {
    if (entry.result.notes.length === 0) continue;
    lines.push(...entry.result.notes.map((note) => `- ${note} (${label(entry.run)})`));
  }
  return `${lines.join('\n')}\n`;
}

/** Merges this run's figures into latest.json and rewrites latest.md; answers the Markdown path. */
export async function recordResults(
  run: RunRecord,
  measured: Map<string, ScenarioResult>,
  order: string[],
): Promise<string> {
  const merged = mergeResults(await readResults(), run, measured, order);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(JSON_FILE, `${JSON.stringify(merged, null, 2)}\n`);
  await writeFile(MARKDOWN_FILE, renderResults(merged));
  return MARKDOWN_FILE;
}
