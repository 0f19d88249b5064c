import { describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { isConnectionQuery, NO_SCHEDULE_MS, onDynamoDbRequest, useLocalStack } from '../support/local-stack';

/**
 * `typing` and `read` take their recipients' connections from the Redis directory in the
 * command that counts their rate limit, as `message` does (docs/connection-directory.md); a
 * read mark that does not move the cursor forward writes nothing and pushes nothing; a staff
 * sender's profile and session are read in one BatchGetItem (docs/cost.md).
 */
let stack: LocalStack;
/** DynamoDB requests reading staff sessions by command, connection Queries, read-cursor writes. */
let commands: Record<string, number> = {};
let connectionQueries = 0;
let cursorWrites = 0;

useLocalStack({ scheduleIntervalMs: NO_SCHEDULE_MS }, (started) => {
  stack = started;
  onDynamoDbRequest(stack, 'countTypingReadRequests', (request) => {
    const { commandName: name } = request;
    const input = JSON.stringify(request.input);
    // Staff sessions are read only by the staff token check: by command, to see it batched.
    if (input.includes('SESSION#')) commands[name] = (commands[name] ?? 0) + 1;
    if (isConnectionQuery(request)) connectionQueries++;
    if (/^(Put|Update|Delete|BatchWrite)/.test(name) && input.includes('READ#')) cursorWrites++;
  });
});

const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;

function reset(): void {
  commands = {};
  connectionQueries = 0;
  cursorWrites = 0;
  stack.resetRedisCommandCount();
}

describe('typing and read find their recipients without Queries', () => {
  it('cost no connection Query and one Redis command once the directory knows the conversation', async () => {
    const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
    const agent = await RawClient.connect(stack.wsUrl, login.body.token as string);
    await agent.request({ action: 'sync' }, ['synced']);
    await agent.request({ action: 'status', status: 'online' }, ['status']);
    const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Typist' });
    const customer = await RawClient.connect(stack.wsUrl, guest.body.token as string);
    await customer.request({ action: 'sync' }, ['synced']);
    const started = await customer.request({ action: 'start', skill: 'tech', text: 'Hello?', clientMsgId: 't-0' }, ['conversation']);
    const conversationId = (started.conversation as { id: string }).id;
    await agent.waitFor(about('assigned', conversationId));
    // The first message learns the conversation's participants (docs/connection-directory.md).
    await customer.request({ action: 'message', conversationId, clientMsgId: 't-1', text: 'first' }, ['ack']);
    const first = await agent.waitFor((frame) => frame.type === 'message' && frame.text === 'first');

    // The customer types: the agent hears it; no Query, one Redis command (the limit and the recipients).
    reset();
    customer.send({ action: 'typing', conversationId });
    expect(await agent.waitFor(about('typing', conversationId))).toMatchObject({ sender: { role: 'customer' } });
    expect({ queries: connectionQueries, redis: stack.redisCommandCount() }).toEqual({ queries: 0, redis: 1 });

    // The agent types: its profile and session in one BatchGetItem.
    reset();
    agent.send({ action: 'typing', conversationId });
    expect(await customer.waitFor(about('typing', conversationId))).toMatchObject({ sender: { role: 'agent' } });
    expect({ queries: connectionQueries, redis: stack.redisCommandCount() }).toEqual({ queries: 0, redis: 1 });
    expect(commands).toEqual({ BatchGetItemCommand: 1 });

    // The agent reads the customer's message: the cursor moves once and the customer hears it, without a Query.
    reset();
    agent.send({ action: 'read', conversationId, seq: first.seq as number });
    expect(await customer.waitFor(about('read', conversationId))).toMatchObject({ seq: first.seq, reader: { role: 'agent' } });
    expect({ queries: connectionQueries, redis: stack.redisCommandCount(), cursorWrites }).toEqual({
      queries: 0,
      redis: 1,
      cursorWrites: 1,
    });

    // The same mark again (a second tab, a resend) writes nothing and tells nobody. The gateway runs a
    // connection's frames in order, so once the agent's next message is acked the mark was handled.
    reset();
    agent.send({ action: 'read', conversationId, seq: first.seq as number });
    await agent.request({ action: 'message', conversationId, clientMsgId: 't-2', text: 'after the mark' }, ['ack']);
    await customer.waitFor((frame) => frame.type === 'message' && frame.text === 'after the mark');
    expect(cursorWrites).toBe(0);
    expect(customer.all('read')).toHaveLength(1);
  });
});
