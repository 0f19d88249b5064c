/** Who is acting: the verified claims of a token, as the domain sees them. */
export const ROLES = ['customer', 'agent', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type SenderRole = Role | 'system';

export const USER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,128}$/;
export const SKILL_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface User {
  readonly id: string;
  readonly role: Role;
  readonly name: string;
  /** Agents only: the skills they serve. */
  readonly skills: readonly string[];
}

export interface UserRef {
  readonly id: string;
  readonly role: SenderRole;
  readonly name: string;
}

export const SYSTEM_SENDER: UserRef = { id: 'system', role: 'system', name: 'Parley' };

export function isStaff(user: Pick<User, 'role'>): boolean {
  return user.role === 'agent' || user.role === 'supervisor' || user.role === 'admin';
}

export function userRef(user: User): UserRef {
  return { id: user.id, role: user.role, name: user.name };
}

/** A display name for people who did not give one. */
export function displayName(user: Pick<User, 'id' | 'name' | 'role'>): string {
  if (user.name.trim().length > 0) return user.name;
  return user.role === 'customer' ? 'Visitor' : user.id;
}

/** Where customer ids live: guests (`guest:<ulid>`) and identified customers (`site:<sub>`). */
export const GUEST_ID_PREFIX = 'guest:';
export const CUSTOMER_ID_PREFIXES = [GUEST_ID_PREFIX, 'site:'] as const;
/** The sender id of system notices. */
export const SYSTEM_ID = 'system';
/** The sender id of the first-line bot's messages (domain/auto-replies.ts). */
export const BOT_SENDER_ID = 'bot';

/**
 * Why a staff id may not be used, or undefined when it may. Staff ids must stay out of the
 * customer namespaces (else a staff account shares a customer's id and receives their live
 * messages) and out of every OIDC issuer's namespace (its ids are `<idPrefix><sub>`).
 * Compared without case, so `GUEST:x` and `System` are refused too.
 */
export function staffIdProblem(id: string, oidcIdPrefixes: readonly string[]): string | undefined {
  const lower = id.toLowerCase();
  if (lower === SYSTEM_ID) return `"${SYSTEM_ID}" is reserved for system notices`;
  if (lower === BOT_SENDER_ID) return `"${BOT_SENDER_ID}" is reserved for the bot's messages`;
  const customerPrefix = CUSTOMER_ID_PREFIXES.find((prefix) => lower.startsWith(prefix));
  if (customerPrefix) return `ids starting "${customerPrefix}" belong to customers`;
  const oidcPrefix = oidcIdPrefixes.find((prefix) => lower.startsWith(prefix.toLowerCase()));
  if (oidcPrefix) return `ids starting "${oidcPrefix}" belong to an OIDC issuer`;
  return undefined;
}

/**
 * Why an OIDC issuer's idPrefix may not be used, or undefined. Its ids are `<idPrefix><sub>`
 * and `sub` may hold `:`, so a prefix that begins a customer prefix (`gu` + `est:x`) or
 * `system` (`s` + `ystem`) could produce those ids as surely as one that extends them.
 */
export function oidcIdPrefixProblem(idPrefix: string): string | undefined {
  const lower = idPrefix.toLowerCase();
  if (SYSTEM_ID.startsWith(lower)) return `it could produce the reserved id "${SYSTEM_ID}"`;
  if (BOT_SENDER_ID.startsWith(lower)) return `it could produce the reserved id "${BOT_SENDER_ID}"`;
  const clash = CUSTOMER_ID_PREFIXES.find((prefix) => lower.startsWith(prefix) || prefix.startsWith(lower));
  if (clash) return `its ids could fall in the customer namespace "${clash}"`;
  return undefined;
}
