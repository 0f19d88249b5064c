import { describe, expect, it } from 'vitest';
import { DIRECTORY_READ_VALID_SECONDS } from '../../../functions/domain/send-window';
import type { ClaimOutcome } from '../../../functions/ports/agent-presence';
import type { ConnectionDirectory, DirectoryFill } from '../../../functions/ports/connection-directory';
import type { ConnectionRecord } from '../../../functions/ports/connection-store';
import { handleTriggers } from '../../../functions/services/routing';
import { AGENT, CUSTOMER, Harness } from './harness';

/**
 * The router's claim reads the assignment's recipients from the connection directory in the
 * same Redis command (docs/connection-directory.md), and the pushes use that read only while
 * a connection that opened after it is still due its recheck sync: the assignment must be
 * stored within DIRECTORY_READ_VALID_SECONDS of the read (domain/send-window.ts). Otherwise
 * (a slow write) the record is read, as without a directory.
 */
const entry = (userId: string, connectionId: string): ConnectionRecord => ({
  connectionId,
  userId,
  role: userId === AGENT.id ? 'agent' : 'customer',
  connectedAt: '2026-11-30T09:00:00.000Z',
  expiresAt: 2 ** 40,
});

async function routeWithDirectory(writeTakesSeconds: number, directoryKnows: readonly string[]) {
  const world = new Harness();
  const fills: DirectoryFill[][] = [];
  const directory = {
    // The adapter sends nothing when no fill carries a token.
    fillUsers: async (filled: readonly DirectoryFill[]) => {
      if (filled.some((fill) => fill.token)) fills.push([...filled]);
    },
  } as unknown as ConnectionDirectory;
  Object.assign(world.ports, { connectionDirectory: directory });
  const sent: string[] = [];
  const send = world.ports.notifier.send;
  world.ports.notifier.send = async (connectionId, frame) => {
    sent.push(`${connectionId}:${frame.type}`);
    return send(connectionId, frame);
  };
  // The record: one connection each. The directory: what the claim read (another id, to tell them apart).
  world.connect(AGENT.id, 'agent-record');
  world.connect(CUSTOMER.id, 'customer-record');
  const asked: (readonly string[] | undefined)[] = [];
  const claimBest = world.presence.claimBest.bind(world.presence);
  world.presence.claimBest = async (
    skill: string,
    claim: string,
    now: string,
    options?: { readonly readConnectionsOf?: readonly string[] },
  ): Promise<ClaimOutcome> => {
    asked.push(options?.readConnectionsOf);
    const outcome = await claimBest(skill, claim, now);
    const known = new Map(directoryKnows.map((userId) => [userId, [entry(userId, `${userId}-directory`)]] as const));
    const fillTokens = new Map([AGENT.id, CUSTOMER.id].filter((userId) => !known.has(userId)).map((userId) => [userId, `token-${userId}`]));
    return { ...outcome, connections: { known, fillTokens } };
  };
  const queries: string[] = [];
  const listForUser = world.ports.connections.listForUser;
  world.ports.connections.listForUser = async (userId, nowSeconds) => {
    queries.push(userId);
    return listForUser(userId, nowSeconds);
  };
  const assign = world.store.assign.bind(world.store);
  world.store.assign = async (...args) => {
    world.advance(writeTakesSeconds);
    return assign(...args);
  };
  await world.agentOnline();
  await world.store.openFor({ id: 'c1', customer: { id: CUSTOMER.id, name: CUSTOMER.name }, skill: 'general', now: world.now() });
  await handleTriggers(world.ports, [{ type: 'conversation.queued', conversationId: 'c1', skill: 'general' }]);
  /** The connections a frame of this type was posted to. */
  const framesTo = (type: string) => sent.filter((post) => post.endsWith(`:${type}`)).map((post) => post.slice(0, -type.length - 1));
  return { world, asked, queries, fills, framesTo };
}

describe("the router's assignment pushes", () => {
  it("go to the connections the claim read: the customer's assigned and the agent's two frames, without a connection Query", async () => {
    const { asked, queries, fills, framesTo, world } = await routeWithDirectory(1, [AGENT.id, CUSTOMER.id]);
    expect(asked).toEqual([[CUSTOMER.id]]);
    expect((await world.conversation()).status).toBe('assigned');
    expect(queries).toEqual([]);
    expect(fills).toEqual([]);
    expect(framesTo('assigned').sort()).toEqual([`${AGENT.id}-directory`, `${CUSTOMER.id}-directory`]);
    expect(framesTo('conversation')).toEqual([`${AGENT.id}-directory`]);
  });

  it('read the record for a user the directory did not know, and fill it back with the claim token', async () => {
    const { queries, fills, framesTo } = await routeWithDirectory(1, [AGENT.id]);
    expect(queries).toEqual([CUSTOMER.id]);
    expect(fills).toEqual([
      [{ userId: CUSTOMER.id, token: `token-${CUSTOMER.id}`, connections: [expect.objectContaining({ connectionId: 'customer-record' })] }],
    ]);
    expect(framesTo('assigned').sort()).toEqual([`${AGENT.id}-directory`, 'customer-record']);
  });

  it(`read the record when the assignment was stored more than ${DIRECTORY_READ_VALID_SECONDS} s after the claim read the directory`, async () => {
    const onTime = await routeWithDirectory(DIRECTORY_READ_VALID_SECONDS, [AGENT.id, CUSTOMER.id]);
    expect(onTime.queries).toEqual([]);
    const late = await routeWithDirectory(DIRECTORY_READ_VALID_SECONDS + 1, [AGENT.id, CUSTOMER.id]);
    expect((await late.world.conversation()).status).toBe('assigned');
    expect(late.queries.sort()).toEqual([AGENT.id, CUSTOMER.id].sort());
    // Read from the record, not the directory: a connection opened after the claim's read is among them.
    expect(late.framesTo('assigned').sort()).toEqual(['agent-record', 'customer-record']);
    expect(late.framesTo('conversation')).toEqual(['agent-record']);
    expect(late.fills).toEqual([]);
  });
});
