import { randomUUID } from 'node:crypto';
import { argon2id, hash, needsRehash as hashNeedsRehash, verify } from 'argon2';

// Password hashes: argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes). Each
// hash records its parameters, so raising them later only needs `needsRehash` at sign-in.

export const hashPassword = (password: string): Promise<string> => hash(password, { type: argon2id });

export const needsRehash = (passwordHash: string): boolean => hashNeedsRehash(passwordHash);

/**
 * A hash of a random password, made with the same parameters as real ones: an unknown
 * email is checked against it, so it costs the time a wrong password costs and the
 * answer's timing does not tell which of the two it was.
 */
let dummyHash: Promise<string> | undefined;
const dummy = (): Promise<string> => (dummyHash ??= hashPassword(`dummy-${randomUUID()}`));

/** Whether `password` matches `passwordHash`; without a hash (unknown email) false, in the same time. */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  try {
    const matches = await verify(passwordHash ?? (await dummy()), password);
    return passwordHash !== undefined && matches;
  } catch {
    // A stored hash that is not argon2 (a corrupt row) matches nothing.
    return false;
  }
}

/** Makes the dummy hash ahead of time: the first unknown-email sign-in is then no slower than later ones. */
export function warmUpPasswords(): void {
  void dummy().catch(() => undefined);
}
