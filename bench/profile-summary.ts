import { readFileSync } from 'node:fs';
import path from 'node:path';

// Where a process spent its CPU, from a V8 .cpuprofile (node --cpu-prof, e.g. a bench run
// with BENCH_CPU_PROF=gateway): the functions with the most self time, and self time by
// package (node_modules/<package>, node:internal, our own code, idle/GC).
//
//   node bench/profile-summary.ts /tmp/docuvault-bench-logs-…/gateway.cpuprofile [top=25]

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(topArg ?? 25);
const repo = path.join(import.meta.dirname, '..');

const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, i) =>
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
);
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const where = (frame: CallFrame): string => {
  if (!frame.url) return '(native / VM)';
  const local = frame.url.replace(/^file:\/\//, '');
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(local);
  if (inModules) return inModules[1]!;
  if (local.startsWith('node:')) return local.split('/')[0]!;
  return local.startsWith(repo) ? path.relative(repo, local).split('/').slice(0, 2).join('/') : local;
};
const label = (frame: CallFrame): string => {
  const local = frame.url.replace(/^file:\/\//, '');
  const short = local.startsWith(repo) ? path.relative(repo, local) : local.replace(/.*node_modules\//, '');
  return `${frame.functionName || '(anonymous)'} ${short ? `${short}:${frame.lineNumber + 1}` : ''}`.trim();
};

const add = (map: Map<string, number>, key: string, micros: number) =>
  map.set(key, (map.get(key) ?? 0) + micros);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const frame = frames.get(id)!;
  add(byFunction, label(frame), micros);
  add(
    byPackage,
    ['(idle)', '(garbage collector)', '(program)'].includes(frame.functionName)
      ? frame.functionName
      : where(frame),
    micros,
  );
}

const print = (title: string, map: Map<string, number>, count: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [key, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    process.stdout.write(
      `${((100 * micros) / total).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}\n`,
    );
  }
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
print('self time by package', byPackage, 15);
print(`top ${top} functions by self time`, byFunction, top);
