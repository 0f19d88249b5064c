import { beforeEach, describe, expect, it } from 'vitest';
import { conversationOfClaim } from '../../../functions/domain/routing-claims';
import type { Ports } from '../../../functions/services/context';
import { DECISIONS_IN_FLIGHT, handleTriggers } from '../../../functions/services/routing';
import { AGENT, Harness } from './harness';

/**
 * A drain keeps up to DECISIONS_IN_FLIGHT decisions going at once (docs/routing.md "Decisions
 * in flight"): the claims one after another in queue order, the assignment writes overlapping.
 */
const WAITING = 25;
let world: Harness;
let claimed: string[];
let writing = 0;
let mostWriting = 0;
let ports: Ports;

beforeEach(async () => {
  world = new Harness();
  await world.presence.setStatus({ id: AGENT.id, name: AGENT.name, status: 'online', skills: [], capacity: WAITING + 5 }, world.now(), {
    live: true,
  });
  for (let index = 0; index < WAITING; index++) {
    world.advance(1);
    const id = `q${String(index).padStart(2, '0')}`;
    await world.store.openFor({ id, customer: { id: `guest:${id}`, name: id }, skill: 'general', now: world.now() });
  }
  world.connect(AGENT.id, 'agent-tab');
  claimed = [];
  writing = 0;
  mostWriting = 0;
  const { store, presence } = world;
  ports = {
    ...world.ports,
    presence: Object.assign(Object.create(presence), {
      claimBest: async (...args: Parameters<typeof presence.claimBest>) => {
        claimed.push(conversationOfClaim(args[1]));
        return presence.claimBest(...args);
      },
    }),
    conversations: Object.assign(Object.create(store), {
      // Each write takes a few turns of the event loop, as a network round trip would.
      assign: async (...args: Parameters<typeof store.assign>) => {
        writing++;
        mostWriting = Math.max(mostWriting, writing);
        try {
          for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
          return await store.assign(...args);
        } finally {
          writing--;
        }
      },
    }),
  };
});

describe('a drain with decisions in flight', () => {
  it('claims in queue order, writes up to DECISIONS_IN_FLIGHT at once, and assigns the whole queue', async () => {
    const [outcome] = await handleTriggers(ports, [{ type: 'conversation.queued', conversationId: 'q00', skill: 'general' }]);
    expect(outcome).not.toHaveProperty('error');
    const queueOrder = Array.from({ length: WAITING }, (_, index) => `q${String(index).padStart(2, '0')}`);
    expect(claimed).toEqual(queueOrder);
    expect(mostWriting).toBe(DECISIONS_IN_FLIGHT);
    for (const id of queueOrder) expect((await world.store.get(id))?.status).toBe('assigned');
    // Each assignment announced once to the agent.
    const assignedFrames = world.frames.filter(({ userId, frame }) => userId === AGENT.id && frame.type === 'assigned');
    expect(assignedFrames).toHaveLength(WAITING);
  });

  it('stops claiming at the first claim that finds nobody; the rest wait in order', async () => {
    await world.presence.setStatus({ id: AGENT.id, name: AGENT.name, status: 'online', skills: [], capacity: 12 }, world.now(), {
      live: true,
    });
    await handleTriggers(ports, [{ type: 'conversation.queued', conversationId: 'q00', skill: 'general' }]);
    // 12 claims held an agent, the 13th found nobody and ended the chain.
    expect(claimed).toHaveLength(13);
    const statuses = await Promise.all(claimed.map(async (id) => (await world.store.get(id))?.status));
    expect(statuses).toEqual([...Array(12).fill('assigned'), 'queued']);
    expect((await world.store.get('q24'))?.status).toBe('queued');
  });
});
