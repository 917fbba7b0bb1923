import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run migrate -- <command> [--dir <migrations dir>]
  up [--plan]                          apply every pending migration (--plan: only show them)
  down [--to <name>] [--plan] [--yes]  roll back the newest migration, or all applied after <name>
  status [--json]                      every migration's state; exits 3 unless up to date
  repair [<name>] [--plan]             re-record edited checksums, forget migrations whose file is gone
  baseline <name> [--plan]             mark an existing schema as migrated up to <name>, running nothing
  resolve --applied|--rolled-back <name> [--plan]
                                       record a migration applied or undone by hand`;

const COMMANDS = ['up', 'down', 'status', 'repair', 'baseline', 'resolve'] as const;
type Command = (typeof COMMANDS)[number];

export interface CommandLine {
  readonly command: Command;
  readonly dir?: string;
  readonly plan: boolean;
  readonly yes: boolean;
  readonly json: boolean;
  readonly to?: string;
  /** repair's optional and baseline's required migration name; resolve's target. */
  readonly name?: string;
  readonly resolveTo?: 'applied' | 'rolled-back';
}

const FLAGS_OF: Record<Command, readonly string[]> = {
  up: ['plan'],
  down: ['plan', 'yes', 'to'],
  status: ['json'],
  repair: ['plan'],
  baseline: ['plan'],
  resolve: ['plan', 'applied', 'rolled-back'],
};

/** How many positional names each command takes: [at least, at most]. */
const NAMES_OF: Record<Command, [number, number]> = {
  up: [0, 0],
  down: [0, 0],
  status: [0, 0],
  repair: [0, 1],
  baseline: [1, 1],
  resolve: [0, 0],
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
        applied: { type: 'string' },
        'rolled-back': { type: 'string' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const { positionals, values } = parsed;
  const command = COMMANDS.find((candidate) => candidate === positionals[0]);
  if (!command) return 'unknown or missing command';
  const names = positionals.slice(1);
  const [least, most] = NAMES_OF[command];
  if (names.length < least) return `${command} needs a migration name`;
  if (names.length > most) return `unexpected argument ${names[most]}`;
  const given = Object.entries(values)
    .filter(([name, value]) => name !== 'dir' && value !== false && value !== undefined)
    .map(([name]) => name);
  const wrong = given.find((name) => !FLAGS_OF[command].includes(name));
  if (wrong) return `--${wrong} does not apply to ${command}`;
  let resolveTo: CommandLine['resolveTo'];
  let name = names[0];
  if (command === 'resolve') {
    if ((values.applied === undefined) === (values['rolled-back'] === undefined))
      return 'resolve needs exactly one of --applied <name> or --rolled-back <name>';
    resolveTo = values.applied !== undefined ? 'applied' : 'rolled-back';
    name = values.applied ?? values['rolled-back'];
  }
  return {
    command,
    plan: values.plan === true,
    yes: values.yes === true,
    json: values.json === true,
    ...(values.dir ? { dir: values.dir } : {}),
    ...(values.to ? { to: values.to } : {}),
    ...(name ? { name } : {}),
    ...(resolveTo ? { resolveTo } : {}),
  };
}
