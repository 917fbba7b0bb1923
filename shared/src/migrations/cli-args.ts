import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run migrate -- <command> [--dir <migrations dir>]
  up [--plan]                          apply every pending migration (--plan: only show them)
  down [--to <name>] [--plan] [--yes]  roll back the newest migration, or all applied after <name>
  status [--json]                      every migration's state; exits 3 unless up to date`;

export interface CommandLine {
  readonly command: 'up' | 'down' | 'status';
  readonly dir?: string;
  readonly plan: boolean;
  readonly yes: boolean;
  readonly json: boolean;
  readonly to?: string;
}

const FLAGS_OF: Record<CommandLine['command'], readonly string[]> = {
  up: ['plan'],
  down: ['plan', 'yes', 'to'],
  status: ['json'],
};

/** The parsed command line, or what is wrong with it. */
export function parseCommandLine(argv: string[]): CommandLine | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        dir: { type: 'string' },
        plan: { type: 'boolean', default: false },
        yes: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        to: { type: 'string' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const { positionals, values } = parsed;
  const command = positionals[0];
  if (command !== 'up' && command !== 'down' && command !== 'status') return 'unknown or missing command';
  if (positionals.length !== 1) return `unexpected argument ${positionals[1]}`;
  const given = Object.entries(values)
    .filter(([name, value]) => name !== 'dir' && value !== false && value !== undefined)
    .map(([name]) => name);
  const wrong = given.find((name) => !FLAGS_OF[command].includes(name));
  if (wrong) return `--${wrong} does not apply to ${command}`;
  return {
    command,
    plan: values.plan === true,
    yes: values.yes === true,
    json: values.json === true,
    ...(values.dir ? { dir: values.dir } : {}),
    ...(values.to ? { to: values.to } : {}),
  };
}
