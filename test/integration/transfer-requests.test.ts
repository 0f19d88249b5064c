import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, postJson } from '../../local/tools/raw-client';
import { RequestCounter } from '../../scripts/bench/request-counter';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

/**
 * The `transfer` action's DynamoDB requests (issue 14), counted as `npm run bench` counts them
 * and named by a second middleware, so a request added to the transfer fails here.
 * docs/routing.md "What a transfer costs" explains each.
 */
let stack: LocalStack;
const counter = new RequestCounter();
const running = new AsyncLocalStorage<string>();
const calls: Array<{ fn: string; request: string }> = [];

/** What a request touched, without ids: `UpdateItem CONV#/META`, `Query USER#/CONN#`. */
function described(command: string, input: Record<string, unknown>): string {
  const part = (key: unknown): string => {
    const { pk, sk } = key as { pk?: string; sk?: string };
    return `${String(pk).replace(/#.*/, '#')}/${String(sk ?? '').replace(/#.*/, '#')}`;
  };
  const values = input.ExpressionAttributeValues as Record<string, unknown> | undefined;
  if (input.Key) return `${command} ${part(input.Key)}`;
  if (input.Item) return `${command} ${part(input.Item)}`;
  if (input.RequestItems) {
    const requests = Object.values(input.RequestItems as Record<string, { Keys?: unknown[] }>).flatMap((request) => request.Keys ?? []);
    return `${command} ${requests.map(part).join(',')}`;
  }
  return `${command} ${part({ pk: values?.[':pk'], sk: values?.[':prefix'] })}`;
}

beforeAllOrFail(async () => {
  stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    env: { SKILLS_CACHE_SECONDS: '60' },
    instrument: (name, handler) => counter.instrument(name, (event, context) => running.run(name, () => handler(event, context))),
  });
  const { dynamodb } = stack.wiring().clients;
  counter.attach(dynamodb, 'dynamodb');
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const fn = running.getStore();
      if (fn === 'transfer')
        calls.push({ fn, request: described(String(context.commandName).replace(/Command$/, ''), args.input as Record<string, unknown>) });
      return next(args);
    },
    { step: 'initialize', name: 'testTransferRequests' },
  );
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

describe('the transfer action', () => {
  it(
    'moves an assigned conversation to a skill queue in one authorizing write, no read first',
    async () => {
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
      await counter.idle();
      counter.take();
      calls.length = 0;

      const before = customer.all('assigned').length;
      const transferred = await agent.request({ action: 'transfer', conversationId, toSkill: 'tech' }, ['transferred']);
      expect(transferred).toMatchObject({ from: { agent: { id: login.body.user.id } }, to: { skill: 'tech' } });
      // The router hands it back to the only agent online.
      await customer.waitFor(() => customer.all('assigned').length > before);
      await counter.idle();
      const requests = calls.map((call) => call.request);
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
      expect(counter.take().get('transfer')?.dynamodb).toBe(requests.length);
      await Promise.all([customer.close(), agent.close()]);
    },
    budget(12),
  );
});
