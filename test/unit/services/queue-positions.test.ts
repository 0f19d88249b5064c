import { beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionDirectory, KeyedPush, PushLookup } from '../../../functions/ports/connection-directory';
import type { Ports } from '../../../functions/services/context';
import { refreshPositions } from '../../../functions/services/queue-positions';
import { epochOf } from '../../../functions/domain/routing-claims';
import { handleTriggers } from '../../../functions/services/routing';
import { AGENT, Harness } from '../routing/harness';

/**
 * Position frames only when they change (services/queue-positions.ts): the last frame sent is
 * remembered through the connection directory, here an in-memory one that knows every
 * connection of the harness.
 */
class MemoryPushes {
  readonly pushed = new Map<string, string>();
  lookups = 0;
  constructor(private readonly world: Harness) {}

  readonly directory: Pick<ConnectionDirectory, 'lookupPushes' | 'rememberPushes'> = {
    lookupPushes: async (pushes: readonly KeyedPush[]): Promise<PushLookup> => {
      this.lookups++;
      const fresh = pushes.filter((push) => push.force || this.pushed.get(push.key) !== push.digest);
      return {
        unchanged: new Set(pushes.filter((push) => !fresh.includes(push)).map((push) => push.key)),
        known: new Map(fresh.map((push) => [push.userId, this.world.connections.filter((c) => c.userId === push.userId)])),
        fillTokens: new Map(),
      };
    },
    rememberPushes: async (sent) => {
      for (const push of sent) this.pushed.set(push.key, push.digest);
    },
  };
}

let world: Harness;
let memory: MemoryPushes;
let ports: Ports;

async function waiting(id: string, customerId: string): Promise<void> {
  world.advance(1);
  await world.store.openFor({ id, customer: { id: customerId, name: customerId }, skill: 'general', now: world.now() });
  world.connect(customerId, `tab-${customerId}`);
}

/** The positions each customer was sent, in order. */
function told(): Record<string, number[]> {
  const positions: Record<string, number[]> = {};
  for (const { userId, frame } of world.frames) {
    if (frame.type === 'queued') positions[userId] = [...(positions[userId] ?? []), frame.position];
  }
  return positions;
}

beforeEach(async () => {
  world = new Harness();
  memory = new MemoryPushes(world);
  ports = { ...world.ports, connectionDirectory: memory.directory as ConnectionDirectory };
  await waiting('q1', 'ann');
  await waiting('q2', 'bob');
  await waiting('q3', 'cy');
});

describe('queue positions told only when they change', () => {
  it('a customer ahead of one who left is not told its unchanged position again; the one behind is', async () => {
    await refreshPositions(ports, 'general');
    expect(told()).toEqual({ ann: [1], bob: [2], cy: [3] });
    await world.store.close('q2', { id: 'bob', role: 'customer' }, world.now());
    await refreshPositions(ports, 'general');
    expect(told()).toEqual({ ann: [1], bob: [2], cy: [3, 2] });
    // Nothing moved since: nothing is sent, with one lookup.
    await refreshPositions(ports, 'general');
    expect(told()).toEqual({ ann: [1], bob: [2], cy: [3, 2] });
    expect(memory.lookups).toBe(3);
  });

  it('a frame that reached no connection is not remembered: the customer hears it once back online', async () => {
    world.disconnect('tab-cy');
    await refreshPositions(ports, 'general');
    expect(told()).toEqual({ ann: [1], bob: [2] });
    world.connect('cy', 'tab-cy-2');
    await refreshPositions(ports, 'general');
    expect(told()).toEqual({ ann: [1], bob: [2], cy: [3] });
  });

  it('without a directory every frame goes out, as before', async () => {
    await refreshPositions(world.ports, 'general');
    await refreshPositions(world.ports, 'general');
    expect(told()).toEqual({ ann: [1, 1], bob: [2, 2], cy: [3, 3] });
  });
});

describe('a router overtaken on a queue', () => {
  it('leaves the positions to the router that overtook it, and tells only who joined', async () => {
    await world.presence.setStatus({ id: AGENT.id, name: AGENT.name, status: 'online', skills: [], capacity: 3 }, world.now(), {
      live: true,
    });
    await waiting('q4', 'dee');
    // Right after this router assigns q1, another router assigns q2 (after this one read the queue).
    const store = world.store;
    const overtaking: Ports = {
      ...ports,
      conversations: Object.assign(Object.create(store), {
        assign: async (...args: Parameters<typeof store.assign>) => {
          const assigned = await store.assign(...args);
          if (args[0] === 'q1') {
            world.advance(1);
            const q2 = (await store.get('q2'))!;
            await store.assign('q2', { id: 'agent-2', name: 'Bo' }, world.now(), epochOf(q2));
          }
          return assigned;
        },
      }),
    };
    await handleTriggers(overtaking, [{ type: 'conversation.queued', conversationId: 'q4', skill: 'general' }]);
    expect((await store.get('q1'))?.agent?.id).toBe(AGENT.id);
    // Cy's claim went out while q1 was being written (before q2 was found taken): this router
    // writes that one assignment (the same claim backs either router's write) and stops.
    expect((await store.get('q3'))?.agent?.id).toBe(AGENT.id);
    expect((await store.get('q4'))?.status).toBe('queued');
    // The overtaking router tells the queue its positions; Dee just joined, so she is told here.
    expect(told()).toEqual({ dee: [1] });
  });

  it('writes the next head, claimed while the head was written, when the head finds nobody in the end; the head keeps its place', async () => {
    await world.presence.setStatus({ id: AGENT.id, name: AGENT.name, status: 'online', skills: [], capacity: 2 }, world.now(), {
      live: true,
    });
    // q1's first write finds it changed (still queued, a later epoch) and, meanwhile, other work took the capacity q1 freed.
    const store = world.store;
    let stale = true;
    const staleHead: Ports = {
      ...ports,
      conversations: Object.assign(Object.create(store), {
        assign: async (...args: Parameters<typeof store.assign>) => {
          if (args[0] === 'q1' && stale) {
            stale = false;
            const q1 = (await store.get('q1'))!;
            await store.requeue('q1', null, 'general', world.now(), { fromEpoch: epochOf(q1), queuedAt: q1.queuedAt! });
          }
          return store.assign(...args);
        },
      }),
      presence: Object.assign(Object.create(world.presence), {
        release: async (...args: Parameters<typeof world.presence.release>) => {
          const released = await world.presence.release(...args);
          if (args[1].startsWith('q1#')) await world.presence.claimAgent(AGENT.id, 'elsewhere#1', world.now());
          return released;
        },
      }),
    };
    await handleTriggers(staleHead, [{ type: 'conversation.queued', conversationId: 'q1', skill: 'general' }]);
    // q2's claim went out once q1's held its agent, and its write did not wait for q1's
    // (docs/routing.md "Decisions in flight"): q2 is assigned, q1 waits for nobody now.
    expect((await store.get('q1'))?.status).toBe('queued');
    expect((await store.get('q2'))?.status).toBe('assigned');
    expect((await store.get('q3'))?.status).toBe('queued');
    // q1 is still told it is first, ahead of q3: the positions come from the drain's view, where q1 went back in its place.
    expect(told()).toEqual({ ann: [1], cy: [2] });
  });
});
