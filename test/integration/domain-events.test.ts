import { afterAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../functions/domain/domain-events';
import type { DomainEventSink } from '../../functions/ports/domain-events';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * The events backbone end to end (docs/events.md): a chat's stored changes are published to
 * the events queue and reach every registered sink through the events consumer, each once per
 * stored change with a stable id; a sink that fails gets the event again.
 */
const seen: DomainEvent[] = [];
let failNextRated = true;
const recorder: DomainEventSink = {
  name: 'recorder',
  handle: async (event) => {
    // The first delivery of the rating fails: the consumer reports it and SQS delivers it again.
    if (event.type === 'conversation.rated' && failNextRated) {
      failNextRated = false;
      throw new Error('transient sink failure');
    }
    seen.push(event);
  },
};

let stack: LocalStack;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false, eventSinks: [recorder] });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

async function signIn(path: string, body: Record<string, unknown>): Promise<RawClient> {
  const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
  const client = await RawClient.connect(stack.wsUrl, issued.token as string);
  await client.request({ action: 'sync' }, ['synced']);
  return client;
}

const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;
const eventsOf = (conversationId: string) => seen.filter((event) => event.conversationId === conversationId);

describe('domain events on the local stack', () => {
  it('a chat publishes started, assigned, messages, closed and rated; each reaches the sink once, a failed one again', async () => {
    const agent = await signIn('/v1/auth/login', { email: 'agent.tech@example.com', password: 'parley-demo' });
    await agent.request({ action: 'status', status: 'online' }, ['status']);
    const customer = await signIn('/v1/auth/guest', { name: 'Eve' });
    const started = await customer.request({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId: 'e-1' }, ['conversation']);
    const conversationId = (started.conversation as { id: string }).id;
    await agent.waitFor(about('assigned', conversationId));
    await agent.request({ action: 'message', conversationId, text: 'Hi, how can I help?', clientMsgId: 'a-1' }, ['ack']);
    // A resend of the agent's message: stored once, its event republished with the same id.
    await agent.request({ action: 'message', conversationId, text: 'Hi, how can I help?', clientMsgId: 'a-1' }, ['ack']);
    await customer.request({ action: 'close', conversationId }, ['closed']);
    await customer.request({ action: 'rate', conversationId, score: 4, comment: 'Quick' }, ['rated']);

    const expected = ['conversation.started', 'message.created', 'conversation.assigned', 'message.created', 'conversation.closed'];
    await waitFor(() => eventsOf(conversationId).length >= expected.length, { message: 'events before the rating', timeoutMs: 20_000 });
    // The rating failed once in the sink: make it receivable again now instead of after its visibility timeout.
    await waitFor(() => !failNextRated, { message: 'the failed rating delivery', timeoutMs: 20_000 });
    await waitFor(
      () => {
        stack.expireEventsVisibility();
        return eventsOf(conversationId).some((event) => event.type === 'conversation.rated');
      },
      { message: 'the rating delivered again', timeoutMs: 20_000, intervalMs: 100 },
    );

    const events = eventsOf(conversationId);
    const byId = new Map<string, number>();
    for (const event of events) byId.set(event.id, (byId.get(event.id) ?? 0) + 1);
    // The resent message was published twice with one id: a sink sees the id at least once, dedupes by it.
    const ids = [...byId.keys()];
    expect(ids.filter((id) => !/:(rated|assigned):/.test(id)).sort()).toEqual(
      [`${conversationId}:started`, `${conversationId}:message:1`, `${conversationId}:message:2`, `${conversationId}:closed`].sort(),
    );
    expect(ids.filter((id) => id.includes(':assigned:'))).toHaveLength(1);
    expect(ids.filter((id) => id.includes(':rated:'))).toHaveLength(1);
    expect(byId.get(`${conversationId}:started`)).toBe(1);
    const find = <T extends DomainEvent['type']>(type: T) =>
      events.find((event) => event.type === type) as Extract<DomainEvent, { type: T }>;
    expect(find('conversation.started')).toMatchObject({ skill: 'tech', status: 'queued' });
    expect(find('conversation.assigned')).toMatchObject({ agent: { id: 'agent-tech' }, first: true });
    expect(find('conversation.assigned').waitMs).toBeGreaterThanOrEqual(0);
    const agentMessage = events.find((event) => event.type === 'message.created' && event.from.role === 'agent');
    expect(agentMessage).toMatchObject({ seq: 2, text: 'Hi, how can I help?', agent: { id: 'agent-tech' } });
    expect((agentMessage as { firstResponseMs?: number }).firstResponseMs).toBeGreaterThanOrEqual(0);
    expect(find('conversation.closed')).toMatchObject({ closedBy: 'customer', agent: { id: 'agent-tech' }, messages: 2 });
    expect(find('conversation.closed').reason).toBeUndefined();
    expect(find('conversation.rated')).toMatchObject({ score: 4, comment: 'Quick', agent: { id: 'agent-tech' } });
    for (const client of [agent, customer]) client.close();
  }, 60_000);
});
