import {
  assertPlaceholdersKnown,
  type CannedResponse,
  type CannedResponseBody,
  cannedScope,
  MAX_CANNED_RESPONSES,
  visibleCannedResponses,
} from '../domain/canned-responses';
import { BadRequestError, ForbiddenError, NotFoundError } from '../domain/errors';
import { isStaff, SKILL_PATTERN, type User } from '../domain/identity';
import type { Ports } from './context';

/**
 * A shortcut claim whose owner does not use it may be a save still in flight (claimed, response
 * not yet written): only after this long, more than any request runs, is it taken as left over
 * by a save that failed midway, and taken over.
 */
export const STALE_CLAIM_MS = 60_000;

/** `GET /v1/canned-responses?skill=` (staff). */
export async function listCannedResponses(ports: Ports, user: User, skill: string | undefined): Promise<CannedResponse[]> {
  if (!isStaff(user)) throw new ForbiddenError('Only staff read canned responses');
  if (skill !== undefined) {
    if (!SKILL_PATTERN.test(skill)) throw new BadRequestError('skill must be a skill name (1-32 of a-z, 0-9, _ and -)');
    if (user.role === 'agent' && !user.skills.includes(skill)) throw new ForbiddenError(`You do not serve the skill ${skill}`);
  }
  return visibleCannedResponses(user, await ports.cannedResponses.list(), skill);
}

function assertAdmin(user: User): void {
  if (user.role !== 'admin') throw new ForbiddenError('Only admins change canned responses');
}

/**
 * `PUT /v1/canned-responses/{id}` (admins): creates or replaces. Validated whole before any
 * write; the shortcut is claimed in its scope before the response is written, and the claim
 * of a shortcut it no longer uses is released after, so a save failing midway leaves at worst
 * a claim nothing uses (taken over once stale), never two responses on one shortcut.
 */
export async function putCannedResponse(
  ports: Ports,
  user: User,
  id: string,
  body: CannedResponseBody,
): Promise<{ cannedResponse: CannedResponse; created: boolean }> {
  assertAdmin(user);
  assertPlaceholdersKnown(body);
  const previous = await ports.cannedResponses.get(id);
  if (!previous && (await ports.cannedResponses.count()) >= MAX_CANNED_RESPONSES) {
    throw new BadRequestError(`at most ${MAX_CANNED_RESPONSES} canned responses can be stored; delete one first`);
  }
  const now = ports.clock.now();
  const scope = cannedScope(body.skill);
  await claim(ports, scope, body.shortcut, id, now);
  const cannedResponse: CannedResponse = {
    id,
    shortcut: body.shortcut,
    title: body.title,
    text: body.text,
    ...(body.skill !== undefined ? { skill: body.skill } : {}),
    updatedAt: now.toISOString(),
    updatedBy: user.id,
  };
  await ports.cannedResponses.put(cannedResponse);
  if (previous && (cannedScope(previous.skill) !== scope || previous.shortcut !== body.shortcut)) {
    await ports.cannedResponses.releaseShortcut(cannedScope(previous.skill), previous.shortcut, id);
  }
  ports.log.info('Canned response saved', { id, scope, created: !previous });
  return { cannedResponse, created: !previous };
}

async function claim(ports: Ports, scope: string, shortcut: string, id: string, now: Date): Promise<void> {
  const store = ports.cannedResponses;
  const result = await store.claimShortcut(scope, shortcut, id, now.toISOString());
  if (result.claimed) return;
  const holder = await store.get(result.claim.ownerId);
  const where = scope === cannedScope(undefined) ? 'among the global canned responses' : `in the skill ${scope}`;
  const used = holder && cannedScope(holder.skill) === scope && holder.shortcut === shortcut;
  const settled = now.getTime() - Date.parse(result.claim.claimedAt) >= STALE_CLAIM_MS;
  if (used || !settled || !(await store.takeOverShortcut(scope, shortcut, id, result.claim.ownerId, now.toISOString()))) {
    throw new BadRequestError(`shortcut /${shortcut} is already used ${where}${used ? ` (by "${holder.title}")` : ''}`);
  }
}

/** `DELETE /v1/canned-responses/{id}` (admins). */
export async function deleteCannedResponse(ports: Ports, user: User, id: string): Promise<void> {
  assertAdmin(user);
  const existing = await ports.cannedResponses.get(id);
  if (!existing) throw new NotFoundError(`No canned response ${id}`);
  await ports.cannedResponses.delete(id);
  await ports.cannedResponses.releaseShortcut(cannedScope(existing.skill), existing.shortcut, id);
  ports.log.info('Canned response deleted', { id });
}
