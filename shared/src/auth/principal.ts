import { AppError } from '../errors/index.ts';

// Who a request acts for, as the gateway tells the subgraphs. The gateway verifies the
// client's token and states the result in one header, which its signature covers
// (shared/src/http/subgraph-signature.ts): a subgraph that requires signatures therefore
// trusts this header and nothing the client sent. Without signatures (tests, a developer
// calling a subgraph directly) the header is taken as given.

export const PRINCIPAL_HEADER = 'x-docuvault-principal';
/** The client's address as the gateway saw it (for the audit log and per-IP rate limits). */
export const CLIENT_IP_HEADER = 'x-docuvault-client-ip';
/** OPS_TOKEN, carried by the gateway to ops unread (Authorization carries the user's token). */
export const OPS_TOKEN_HEADER = 'x-ops-token';

export const ROLES = ['USER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

export type Principal =
  /** No identity: may register and sign in, nothing else. */
  | { readonly kind: 'guest' }
  /** The shared anonymous vault (owner null), when ALLOW_ANONYMOUS is on. */
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'user';
      readonly id: string;
      readonly roles: readonly Role[];
      /**
       * Only for an identity from an external issuer (AUTH_JWKS_URL): its email, so the
       * subgraphs can create the account the first time they see it (accounts/provision).
       */
      readonly email?: string | undefined;
      /**
       * Only for an external identity: when its issuer issued the token (Unix seconds).
       * It has no password here, so deleteAccount asks for a fresh token instead.
       */
      readonly issuedAt?: number | undefined;
    };

export const GUEST: Principal = { kind: 'guest' };
export const ANONYMOUS: Principal = { kind: 'anonymous' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A user id as the principal carries it: a lower-case UUID. */
export const isUserId = (value: string): boolean => UUID.test(value);

/**
 * `guest`, `anonymous`, `user;<uuid>;<ROLE,ROLE>` or, for an external identity,
 * `user;<uuid>;<ROLE,ROLE>;<base64url email>[;<issued at>]`: one printable header value.
 */
export function encodePrincipal(principal: Principal): string {
  if (principal.kind !== 'user') return principal.kind;
  const base = `user;${principal.id};${principal.roles.join(',')}`;
  if (principal.email === undefined) return base;
  const external = `${base};${Buffer.from(principal.email).toString('base64url')}`;
  return principal.issuedAt === undefined ? external : `${external};${principal.issuedAt}`;
}

/** The principal a header value states, or undefined when it is not one we write. */
export function decodePrincipal(value: string): Principal | undefined {
  if (value === 'guest') return GUEST;
  if (value === 'anonymous') return ANONYMOUS;
  const [kind, id, roles, email, issuedAt, ...rest] = value.split(';');
  if (kind !== 'user' || id === undefined || roles === undefined || rest.length > 0) return undefined;
  if (!UUID.test(id)) return undefined;
  const list = roles === '' ? [] : roles.split(',');
  if (!list.every((role): role is Role => (ROLES as readonly string[]).includes(role))) return undefined;
  const user = { kind: 'user' as const, id, roles: [...new Set(list)] };
  if (email === undefined) return user;
  if (!/^[A-Za-z0-9_-]*$/.test(email)) return undefined;
  const external = { ...user, email: Buffer.from(email, 'base64url').toString('utf8') };
  if (issuedAt === undefined) return external;
  if (!/^\d{1,12}$/.test(issuedAt)) return undefined;
  return { ...external, issuedAt: Number(issuedAt) };
}

export const isAdmin = (principal: Principal): boolean =>
  principal.kind === 'user' && principal.roles.includes('ADMIN');

/** The signed-in user's id, or UNAUTHENTICATED. */
export function requireUser(principal: Principal): { id: string; roles: readonly Role[] } {
  if (principal.kind === 'user') return principal;
  throw new AppError('UNAUTHENTICATED', 'Sign in first: this needs a valid access token');
}

/** Only admins; anyone else signed in gets FORBIDDEN, a guest UNAUTHENTICATED. */
export function requireAdmin(principal: Principal): { id: string } {
  const user = requireUser(principal);
  if (!user.roles.includes('ADMIN')) throw new AppError('FORBIDDEN', 'Only an administrator may do this');
  return user;
}

/**
 * Whose vault a request works in: the user's id, null for the anonymous vault (when the
 * gateway allows anonymous use), UNAUTHENTICATED for a guest.
 */
export function vaultOwner(principal: Principal): string | null {
  if (principal.kind === 'anonymous') return null;
  return requireUser(principal).id;
}
