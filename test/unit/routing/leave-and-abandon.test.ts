import { beforeEach, describe, expect, it } from 'vitest';
import { ABANDONED_CLOSE_TEXT } from '../../../functions/domain/abandonment';
import { sweepAbandonedChats } from '../../../functions/services/abandoned-chats';
import { reconcile } from '../../../functions/services/reconciliation';
import { handleTriggers } from '../../../functions/services/routing';
import { AGENT, CUSTOMER, Harness } from './harness';

/** The leave grace and the abandoned-chat sweep through the services (harness.ts). */

let world: Harness;
beforeEach(() => {
  world = new Harness();
});

describe('agent.left and the presence sweep', () => {
  it('an agent gone past the grace goes away and keeps its chat until presence expires; then reconciliation requeues it', async () => {
    await world.agentOnline();
    world.connect(AGENT.id, 'tab');
    await world.assigned();
    const disconnectedAt = world.now();
    world.disconnect('tab');
    world.advance(15);

    await handleTriggers(world.ports, [{ type: 'agent.left', agentId: AGENT.id, disconnectedAt }]);
    expect((await world.presence.get(AGENT.id))?.status).toBe('away');
    expect((await world.conversation()).status).toBe('assigned');
    // Away is out of routing, and the expiry sweep walks online agents only...
    world.presence.expire(AGENT.id);
    const report = await reconcile(world.ports);
    expect(report.agentsLost).toEqual([]);
    // ...but reconciliation sees an agent without presence holding a chat, and says so.
    expect(report.agentsStranded).toEqual([AGENT.id]);
    const lost = world.triggers.filter((trigger) => trigger.type === 'agent.lost');
    expect(lost).toEqual([{ type: 'agent.lost', agentId: AGENT.id }]);
    await handleTriggers(world.ports, lost);
    expect((await world.conversation()).status).toBe('queued');
  });

  it('a reconnection at or after the disconnect, or a status the agent chose, is left alone', async () => {
    await world.agentOnline();
    const disconnectedAt = world.now();
    world.connect(AGENT.id, 'reloaded');
    await handleTriggers(world.ports, [{ type: 'agent.left', agentId: AGENT.id, disconnectedAt }]);
    expect((await world.presence.get(AGENT.id))?.status).toBe('online');
    expect(world.frames).toEqual([]);

    await world.presence.setStatus({ id: AGENT.id, name: AGENT.name, status: 'offline', skills: [], capacity: 1 }, world.now(), {
      live: true,
    });
    world.disconnect('reloaded');
    await handleTriggers(world.ports, [{ type: 'agent.left', agentId: AGENT.id, disconnectedAt: world.now() }]);
    expect((await world.presence.get(AGENT.id))?.status).toBe('offline');
  });
});

describe('the abandoned-chat sweep', () => {
  beforeEach(async () => {
    await world.agentOnline();
    world.connect(AGENT.id, 'console');
    await world.assigned();
    await world.say(AGENT, 'How can I help?');
  });

  it('notices once, closes once after the close time, frees the agent and tells both sides', async () => {
    world.advance(899);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 0, closed: 0 });
    world.advance(1);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 1, closed: 0 });
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 0, closed: 0 });
    expect((await world.messages()).filter((text) => text.includes('still there'))).toHaveLength(1);

    world.advance(299);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ closed: 0 });
    world.advance(1);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ closed: 1 });
    expect(await world.conversation()).toMatchObject({ status: 'closed', closeReason: 'abandoned' });
    expect((await world.messages()).at(-1)).toBe(ABANDONED_CLOSE_TEXT);
    expect(world.frames.map(({ frame }) => frame.type).slice(-2)).toEqual(['message', 'closed']);
    expect(world.frames.at(-1)?.frame).toMatchObject({ type: 'closed', reason: 'abandoned', by: { id: 'system', role: 'system' } });
    // The normal close path: the claim is given back and the agent's queues drain.
    expect((await world.presence.get(AGENT.id))?.load).toBe(0);
    expect(world.triggers).toContainEqual({ type: 'agent.available', agentId: AGENT.id });

    world.advance(3600);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ checked: 0, noticed: 0, closed: 0 });
  });

  it('leaves a connected customer alone', async () => {
    world.connect(CUSTOMER.id, 'widget');
    world.advance(5000);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ customerConnected: 1, noticed: 0 });
  });

  it('a customer answer after the notice cancels the close; a new agent message starts a new round', async () => {
    world.advance(900);
    await sweepAbandonedChats(world.ports);
    world.advance(10);
    await world.say(CUSTOMER, 'Still here');
    world.advance(5000);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 0, closed: 0 });
    expect((await world.conversation()).status).toBe('assigned');

    await world.say(AGENT, 'Anything else?');
    world.advance(900);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 1 });
    expect((await world.messages()).filter((text) => text.includes('still there'))).toHaveLength(2);
  });

  it('the close is conditional: a customer message landing after the sweep decided keeps the chat', async () => {
    world.advance(900);
    await sweepAbandonedChats(world.ports);
    world.advance(300);
    const agentSeq = (await world.conversation()).lastAgentSeq!;
    await world.say(CUSTOMER, 'Sorry, I am back');
    expect(await world.store.closeAbandoned('c1', agentSeq, world.now())).toBeUndefined();
    expect((await world.conversation()).status).toBe('assigned');
  });
});
