import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReport, runRecord, type ScenarioResult } from './report.ts';
import { recordResults } from './results-file.ts';
import { seedVault, type SeedResult } from './seed.ts';
import { servicesDescription, withServices } from './services.ts';
import { startSystem, type System } from './system.ts';

// What a scenario gets: the system (started on first use, once per run), the seeded
// vault (seeded on first use), and measurements shared between scenarios, so that a
// reference measured for one scenario is the same figure in the next.

export interface Context {
  system(): Promise<System>;
  /**
   * The system with its vault seeded (100 000 documents unless BENCH_SEED_DOCUMENTS says
   * otherwise). realistic (the default): real-language text of realistic length, which only
   * search needs and which takes minutes to build; false: short texts (seconds), for
   * scenarios that need rows. A realistic vault serves both; asking for it after a light one
   * replaces the light rows.
   */
  seeded(options?: { realistic?: boolean }): Promise<System>;
  /** Runs `measure` once per run under `key`; later calls answer the same figure. */
  shared<T>(key: string, measure: () => Promise<T>): Promise<T>;
  say(line: string): void;
}

export interface Scenario {
  name: string;
  run(context: Context): Promise<ScenarioResult>;
}

export const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/**
 * Runs `scenarios` (by their key in bench/run-all.ts) on one system. With `writeResults`,
 * their figures replace earlier ones in bench/results/latest.md (see ./results-file.ts),
 * which lists scenarios in the order of `order`.
 */
export async function runScenarios(
  scenarios: [string, Scenario][],
  options: { writeResults: boolean; order?: string[] },
): Promise<void> {
  const t0 = performance.now();
  const started = new Date();
  const loadAverage = os.loadavg();
  await withServices(async () => {
    let system: Promise<System> | undefined;
    let seed: Promise<(SeedResult & { beforehand?: boolean }) | undefined> | undefined;
    const memo = new Map<string, Promise<unknown>>();
    const seedAs = ({ admin, seeded }: System, realistic: boolean) =>
      (async () => {
        if (seeded && (seeded.seed.realistic || !realistic)) {
          say(`the vault of BENCH_SEEDED_DATABASE: ${seeded.seed.count} documents, seeded beforehand`);
          return { ...seeded.seed, beforehand: true };
        }
        say(`seeding the vault (${realistic ? 'realistic' : 'light'})…`);
        // Replacing a light seed: its rows (object keys as seed.ts writes them) must not dilute
        // the realistic vault; documents other scenarios uploaded stay.
        await admin.query(`delete from documents where object_key like '\\_anonymous/bench-%'`);
        const result = await seedVault(admin, undefined, { realistic, progress: say });
        say(`seeded ${result.count} documents in ${(result.ms / 1000).toFixed(1)} s`);
        return result;
      })();
    const context: Context = {
      system: () => (system ??= startSystem(say)),
      async seeded({ realistic = true } = {}) {
        const started = await context.system();
        // Chained, so that two scenarios asking at once seed once.
        seed = (seed ?? Promise.resolve(undefined)).then((current) =>
          current && (current.realistic || !realistic) ? current : seedAs(started, realistic),
        );
        await seed;
        return started;
      },
      shared<T>(key: string, measure: () => Promise<T>) {
        if (!memo.has(key)) memo.set(key, measure());
        return memo.get(key) as Promise<T>;
      },
      say,
    };
    const results = new Map<string, ScenarioResult>();
    let crashed = false;
    try {
      for (const [key, scenario] of scenarios) {
        say(`— ${scenario.name}`);
        try {
          results.set(key, await scenario.run(context));
        } catch (error) {
          // A broken scenario must not hide the others' figures; the run still fails at the end.
          crashed = true;
          say(
            `${scenario.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          );
          const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
          results.set(key, {
            rows: [
              {
                scenario: scenario.name,
                measured: `failed: ${message}`,
                reference: '',
                ratio: '',
                target: '',
              },
            ],
            notes: [],
          });
        }
      }
    } finally {
      if (system) await (await system).stop();
    }
    const seeding = seed ? await seed : undefined;
    const runNotes = seeding
      ? [
          `${seeding.beforehand ? 'the vault was seeded beforehand (bench/seed-vault.ts, BENCH_SEEDED_DATABASE): ' : ''}` +
            `seeding ${seeding.count} ${seeding.realistic ? 'realistic' : 'light'} documents over ${seeding.connections} ` +
            `connections took ${(seeding.ms / 1000).toFixed(1)} s, ${(seeding.indexMs / 1000).toFixed(1)} s of it building indexes (not part of any figure); ` +
            `the documents table with its indexes and TOAST: ${(seeding.bytes / 1024 ** 3).toFixed(2)} GiB; ` +
            `words per document (sample): median ${seeding.words.median}, p99 ${seeding.words.p99}, ` +
            `max ${seeding.words.max}, ~${seeding.words.over20k} past 20 000`,
        ]
      : [];
    const run = runRecord(started, loadAverage, servicesDescription(), performance.now() - t0, runNotes);
    process.stdout.write(renderReport(run, [...results.values()]));
    if (options.writeResults) {
      const file = await recordResults(run, results, options.order ?? [...results.keys()]);
      say(`written to ${path.relative(process.cwd(), file)}`);
    }
    if (crashed) process.exitCode = 1;
  });
}

/** For a scenario's own file: runs it alone when that file is the entry point (results to stdout only). */
export async function runIfMain(scenario: Scenario, moduleUrl: string): Promise<void> {
  if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl)) {
    await runScenarios([[scenario.name, scenario]], { writeResults: false });
  }
}
