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
