import { describe, expect, it } from 'vitest';
import { sync } from '../../../functions/services/session';
import { AGENT, Harness } from './harness';

/** Issue 15: Redis is a cache; an agent catching up on stored messages does not need it. */
describe('sync while Redis is unreachable', () => {
  it("an agent still gets its conversations' messages (the presence refresh is best effort)", async () => {
    const world = new Harness();
    await world.agentOnline();
    world.connect(AGENT.id, 'tab');
    const conversation = await world.assigned();
    world.presence.touch = async () => {
      throw new Error('Redis touch failed');
    };
    const reply = await sync(
      world.ports,
      { user: { id: AGENT.id, role: 'agent', name: AGENT.name, skills: [] }, connectionId: 'tab' },
      { action: 'sync', cursors: { [conversation.id]: 0 } },
    );
    expect(reply).toMatchObject({ type: 'synced', conversations: { [conversation.id]: 1 } });
    expect(world.frames.filter(({ frame }) => frame.type === 'message')).toHaveLength(1);
  });
});
