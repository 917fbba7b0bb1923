import { z } from 'zod';

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses `env` against `shape`. Every bad or missing variable is named in one
 * error (never one at a time), and the value is frozen so nothing can change
 * configuration after start-up.
 */
export function loadConfig<S extends z.ZodRawShape>(
  service: string,
  shape: S,
  env: Record<string, string | undefined>,
): Readonly<z.infer<z.ZodObject<S>>> {
  // An empty string means "unset": compose files and shells often pass VAR= .
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = z.object(shape).safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(root)';
      const missing = issue.code === 'invalid_type' && cleaned[name] === undefined;
      return missing ? `${name}: required but not set` : `${name}: ${issue.message}`;
    });
    throw new ConfigError(service, problems);
  }
  return Object.freeze(result.data);
}

/** For entry points: print every problem and exit non-zero instead of starting half-configured. */
export function loadConfigOrExit<S extends z.ZodRawShape>(
  service: string,
  shape: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<z.infer<z.ZodObject<S>>> {
  try {
    return loadConfig(service, shape, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
