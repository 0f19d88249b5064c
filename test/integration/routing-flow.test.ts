import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

let stack: LocalStack;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

async function connect(path: string, body: Record<string, unknown>): Promise<RawClient> {
  const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
  const client = await RawClient.connect(stack.wsUrl, issued.token);
  await client.request({ action: 'sync' }, ['synced']);
  return client;
}

const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;

describe('routing on the local stack', () => {
  it(
    'queues while nobody serves the skill, tells the customer, and assigns when an agent comes online',
    async () => {
      const customer = await connect('/v1/auth/guest', { name: 'Queued Quinn' });
      const started = await customer.request({ action: 'start', skill: 'tech' }, ['conversation']);
      const conversationId = (started.conversation as { id: string }).id;

      expect(await customer.waitFor(about('queued', conversationId))).toMatchObject({ position: 1, etaSeconds: expect.any(Number) });
      const notice = await customer.waitFor((frame) => frame.type === 'message' && frame.conversationId === conversationId);
      expect(notice).toMatchObject({ seq: 1, sender: { role: 'system' }, text: expect.stringContaining('Nobody is online right now') });

      // A billing-only agent does not serve `tech`; the tech agent does.
      const billing = await connect('/v1/auth/login', { email: 'agent.billing@example.com', password: 'parley-demo' });
      await billing.request({ action: 'status', status: 'online' }, ['status']);
      const tech = await connect('/v1/auth/login', { email: 'agent.tech@example.com', password: 'parley-demo' });
      await tech.request({ action: 'status', status: 'online' }, ['status']);

      expect(await customer.waitFor(about('assigned', conversationId))).toMatchObject({ agent: { id: 'agent-tech' } });
      expect(await tech.waitFor(about('assigned', conversationId))).toMatchObject({ agent: { id: 'agent-tech' } });
      expect(billing.all('assigned')).toEqual([]);

      // Transfer to the billing queue: the billing agent, now the only one with spare capacity there, gets it.
      await tech.request({ action: 'status', status: 'away' }, ['status']);
      const transferred = await tech.request({ action: 'transfer', conversationId, toSkill: 'billing', note: 'Invoice question' }, [
        'transferred',
      ]);
      expect(transferred).toMatchObject({ from: { agent: { id: 'agent-tech' } }, to: { skill: 'billing' }, note: 'Invoice question' });
      const customerSees = await customer.waitFor(about('transferred', conversationId));
      expect(customerSees.note).toBeUndefined();
      expect(await billing.waitFor(about('assigned', conversationId))).toMatchObject({ agent: { id: 'agent-billing' } });

      await Promise.all([customer.close(), billing.close(), tech.close()]);
    },
    budget(22),
  ); // 3 connects (3 steps each), start, 2 waits, 2 statuses, 2 assignments, away, transfer, 2 waits, closing
});
