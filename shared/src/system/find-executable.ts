import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** Absolute path of the executable `name` in `searchPath` (a PATH-style list), or undefined. */
export function findExecutable(name: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}
