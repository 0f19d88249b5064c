import { describe, expect, it } from 'vitest';
import { RawClient, postJson } from '../../local/tools/raw-client';
import { useCountedStack } from '../support/request-counting';
import { budget } from '../support/setup';

/**
 * The `transfer` action's DynamoDB requests (issue 14), counted as `npm run bench` counts them
 * and named by a second middleware, so a request added to the transfer fails here.
 * docs/routing.md "What a transfer costs" explains each.
 */
const counted = useCountedStack({ env: { SKILLS_CACHE_SECONDS: '60' } });

describe('the transfer action', () => {
  it(
    'moves an assigned conversation to a skill queue in one authorizing write, no read first',
    async () => {
      const { stack } = counted;
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      const agent = await RawClient.connect(stack.wsUrl, login.body.token);
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Counted' });
      const customer = await RawClient.connect(stack.wsUrl, guest.body.token);
      customer.send({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId: 't-1' });
      const conversationId = ((await customer.nextOfType('conversation')).conversation as { id: string }).id;
      await customer.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
      // Warms the container's skill list: the measured transfer meets it cached.
      await agent.request({ action: 'transfer', conversationId: `missing-${conversationId}`, toSkill: 'tech' }, ['error']);

      const measured = await counted.measure('transfer', async () => {
        const before = customer.all('assigned').length;
        const transferred = await agent.request({ action: 'transfer', conversationId, toSkill: 'tech' }, ['transferred']);
        expect(transferred).toMatchObject({ from: { agent: { id: login.body.user.id } }, to: { skill: 'tech' } });
        // The router hands it back to the only agent online.
        await customer.waitFor(() => customer.all('assigned').length > before);
      });
      const requests = measured.requests.map((call) => call.request);
      expect(requests).toEqual([
        // The caller: its session and its staff profile, in one batch.
        'BatchGetItem SESSION#/SESSION,AGENT#/PROFILE',
        // The move back into the queue, which is also the authorization and returns the state it
        // moved from: no GetItem of the conversation first.
        'UpdateItem CONV#/META',
        // The customer's connections, then the agents' (the caller's other tabs): `transferred`.
        'Query USER#/CONN#',
        'Query USER#/CONN#',
      ]);
      expect(measured.counted).toBe(requests.length);
      await Promise.all([customer.close(), agent.close()]);
    },
    budget(12),
  );
});
