import { beforeEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../functions/services/reconciliation';
import { AGENT, Harness } from './harness';

/**
 * A claim whose release failed (the close was stored during a Redis outage) holds capacity
 * nothing backs. Reconcile removes it at its next run when the conversation has already moved
 * past the claim's transition, rather than after claimMinAgeSeconds: only a claim for a
 * transition still ahead (a router between its claim and its write) needs that protection.
 */
let world: Harness;

beforeEach(async () => {
  world = new Harness();
  await world.agentOnline();
  world.connect(AGENT.id, 'tab');
});

describe('reconcile and young stale claims', () => {
  it('removes at once a claim whose conversation was closed but whose release failed', async () => {
    const conversation = await world.assigned();
    world.advance(5);
    await world.store.close(conversation.id, { id: AGENT.id, role: 'agent' }, world.now()); // stored; the release never ran
    expect((await world.presence.get(AGENT.id))?.load).toBe(1);
    world.advance(10); // far younger than claimMinAgeSeconds (120)
    const report = await reconcile(world.ports);
    expect(report.claimsRemoved).toBe(1);
    expect((await world.presence.get(AGENT.id))?.load).toBe(0);
  });

  it('keeps a young claim for a transition still ahead (a router between its claim and its assign write)', async () => {
    const { conversation } = await world.store.openFor({
      id: 'c1',
      customer: { id: 'guest:1', name: 'Cy' },
      skill: 'general',
      now: world.now(),
    });
    const outcome = await world.presence.claimBest('general', `${conversation.id}#1`, world.now());
    expect(outcome.agent?.id).toBe(AGENT.id);
    world.advance(10);
    const report = await reconcile(world.ports);
    expect(report.claimsRemoved).toBe(0);
    expect((await world.presence.get(AGENT.id))?.load).toBe(1);
  });
});
