import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

// Everything the handlers log goes through Powertools' logger to stdout: capture it all.
const captured: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
let stack: LocalStack;

beforeAllOrFail(async () => {
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return (originalWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, logLevel: 'INFO' });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
  process.stdout.write = originalWrite;
});

describe('log hygiene at INFO', () => {
  it(
    'never logs a token, a password or message text',
    async () => {
      const secretText = 'Card 4111-1111-SECRET-TEXT';
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
      await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'wrong-Password-77' });
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Lena' });
      const agent = await RawClient.connect(stack.wsUrl, login.body.token);
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      const customer = await RawClient.connect(stack.wsUrl, guest.body.token);
      customer.send({ action: 'start', skill: 'tech', text: secretText, clientMsgId: 's-1' });
      const conversation = await customer.nextOfType('conversation');
      const conversationId = (conversation.conversation as { id: string }).id;
      await customer.waitFor((frame: Frame) => frame.type === 'assigned');
      await agent.request({ action: 'message', conversationId, clientMsgId: 'a-1', text: `${secretText} (agent)` }, ['ack']);
      // Refused frames carrying text are logged as refusals, without the text.
      await customer.request({ action: 'message', conversationId, clientMsgId: 's-2', text: secretText, extra: true }, ['error']);
      await customer.request({ action: 'message', conversationId: 'NOPE', clientMsgId: 's-3', text: secretText }, ['error']);
      expect(await RawClient.upgradeStatus(`${stack.wsUrl}?token=${guest.body.token}x`)).toBe(403);
      await agent.request({ action: 'close', conversationId }, ['closed']);
      await Promise.all([agent.close(), customer.close()]);

      const logs = captured.join('');
      // The capture works: INFO lines from the handlers are there.
      expect(logs).toContain('"level":"INFO"');
      expect(logs).toContain(conversationId);
      // ...and the refusals above were logged (so their lines were checked too), the wrong password's included.
      expect(logs).toContain('"message":"Action refused"');
      expect(logs).toContain('"message":"Request refused"');
      for (const secret of [login.body.token, guest.body.token, 'parley-demo', 'wrong-Password-77', 'SECRET-TEXT']) {
        expect(logs).not.toContain(secret);
      }
    },
    budget(15),
  ); // 3 logins/tokens, 2 connects, status, start, assignment, 4 requests, upgrade, close
});
