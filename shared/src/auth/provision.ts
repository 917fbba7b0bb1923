import type { EntityManager } from '@mikro-orm/postgresql';
import { normaliseEmail } from './email.ts';
import type { Principal } from './principal.ts';

// Accounts of external identities (AUTH_JWKS_URL) are created the first time a subgraph
// sees them: the issuer vouches for the person, and every table that belongs to a user
// needs a users row (and a quota) to refer to. Such an account has no password (its
// hash matches nothing), so it signs in only through its issuer.

/** The password hash of an external identity's account: it matches no password. */
export const NO_PASSWORD = '!external-identity';
/**
 * Ids known to exist, so a process asks the database about an external user at most once
 * a minute. Not for longer: an account deleted (by any replica) and signed into again
 * with a new token must be created again.
 */
const provisioned = new Map<string, number>();
const REMEMBERED = 100_000;
const REMEMBER_MS = 60_000;

/** After deleting an account: the next request of that identity creates it anew. */
export const forgetProvisioned = (id: string): void => {
  provisioned.delete(id);
};

/** The email stored for the account: the issuer's, normalised, unless it is empty or taken. */
const standIn = (id: string) => `${id}@external.invalid`;

export async function provisionExternalUser(
  em: EntityManager,
  principal: Principal,
  quotaBytes: number,
): Promise<void> {
  if (principal.kind !== 'user' || principal.email === undefined) return;
  if ((provisioned.get(principal.id) ?? 0) > Date.now()) return;
  const { id } = principal;
  const role = principal.roles.includes('ADMIN') ? 'ADMIN' : 'USER';
  const email = normaliseEmail(principal.email);
  await em.transactional(async (tx) => {
    const insert = (address: string) =>
      tx.execute(
        `insert into users (id, email, password_hash, role) values (?::uuid, ?, ?, ?)
         on conflict do nothing returning id`,
        [id, address, NO_PASSWORD, role],
      );
    // A conflict on the email (a local account has it) leaves the id free: use a stand-in.
    if (email === '' || (await insert(email)).length === 0) await insert(standIn(id));
    await tx.execute(`insert into quotas (user_id, limit_bytes) values (?::uuid, ?) on conflict do nothing`, [
      id,
      quotaBytes,
    ]);
  });
  if (provisioned.size >= REMEMBERED) provisioned.clear();
  provisioned.set(id, Date.now() + REMEMBER_MS);
}
