import { describe, expect, it } from 'vitest';
import { sync } from '../../../functions/services/session';
import { AGENT, CUSTOMER, Harness } from './harness';

const agentCaller = { user: { id: AGENT.id, role: 'agent' as const, name: AGENT.name, skills: [] }, connectionId: 'tab' };

/** A Harness whose store counts the message pages sync reads, per conversation. */
async function withCountedReads(): Promise<{ world: Harness; reads: string[] }> {
  const world = new Harness();
  await world.agentOnline();
  world.connect(AGENT.id, 'tab');
  await world.assigned();
  await world.say(CUSTOMER, 'Still there?');
  const reads: string[] = [];
  const listMessages = world.store.listMessages.bind(world.store);
  world.store.listMessages = async (conversationId, afterSeq, limit) => {
    reads.push(`${conversationId}>${afterSeq}`);
    return listMessages(conversationId, afterSeq, limit);
  };
  return { world, reads };
}

/** Issue 14: sync reads the messages of a conversation only when its lastSeq is past the cursor. */
describe('sync reads only conversations with something after the cursor', () => {
  it('a caught-up conversation costs no message read and keeps its cursor in synced', async () => {
    const { world, reads } = await withCountedReads();
    const reply = await sync(world.ports, agentCaller, { action: 'sync', cursors: { c1: 2 } });
    expect(reply).toEqual({ type: 'synced', conversations: { c1: 2 } });
    expect(reads).toEqual([]);
    expect(world.frames.filter(({ frame }) => frame.type === 'message')).toHaveLength(0);
  });

  it('a conversation behind its lastSeq is read from the cursor', async () => {
    const { world, reads } = await withCountedReads();
    const reply = await sync(world.ports, agentCaller, { action: 'sync', cursors: { c1: 1 } });
    expect(reply).toEqual({ type: 'synced', conversations: { c1: 2 } });
    expect(reads).toEqual(['c1>1']);
    expect(world.frames.filter(({ frame }) => frame.type === 'message')).toHaveLength(1);
  });

  it('a cursor past lastSeq is answered as given, without a read', async () => {
    const { world, reads } = await withCountedReads();
    const reply = await sync(world.ports, agentCaller, { action: 'sync', cursors: { c1: 7 } });
    expect(reply).toEqual({ type: 'synced', conversations: { c1: 7 } });
    expect(reads).toEqual([]);
  });
});
