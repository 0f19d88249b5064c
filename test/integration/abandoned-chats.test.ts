import { describe, expect, it } from 'vitest';
import { ABANDONED_CLOSE_TEXT } from '../../functions/domain/abandonment';
import { sweepAbandonedChats } from '../../functions/services/abandoned-chats';
import { runAsEntry } from '../../local/iam/entry-scope';
import type { LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { budget } from '../support/setup';
import { loginAdmin, agentOnline as onlineAgent } from '../support/agents';
import { NO_SCHEDULE_MS, useLocalStack } from '../support/local-stack';
import { waitFor } from '../support/wait';

/**
 * Abandoned chats on the local stack with short settings. The scheduled `reconcile` never
 * fires by itself here: each test runs it (and the sweep inside it) when the time has come,
 * so nothing happens between a test's steps that the test did not ask for, however slow the
 * machine. Presence lasts an hour so the presence sweep inside `reconcile` leaves agents be.
 */
const AFTER_SECONDS = 2;
const CLOSE_AFTER_SECONDS = 2;
let stack: LocalStack;
let adminToken: string;

useLocalStack(
  {
    skills: ['aband-a', 'aband-b'],
    web: false,
    env: {
      ABANDON_AFTER_SECONDS: String(AFTER_SECONDS),
      ABANDON_CLOSE_AFTER_SECONDS: String(CLOSE_AFTER_SECONDS),
      PRESENCE_GRACE_SECONDS: '3600',
    },
    scheduleIntervalMs: NO_SCHEDULE_MS,
  },
  async (started) => {
    stack = started;
    adminToken = await loginAdmin(stack);
  },
);

const PASSWORD = 'abandoned-chats-1';

/** An online agent of its own skill with room for one chat, so a second customer must wait for it. */
const agentOnline = (id: string, skill: string): Promise<RawClient> =>
  onlineAgent(stack, adminToken, { id, skill, password: PASSWORD, capacity: 1 });

interface Customer {
  readonly id: string;
  readonly token: string;
  client: RawClient;
}

async function customer(name: string): Promise<Customer> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name });
  const client = await RawClient.connect(stack.wsUrl, body.token as string);
  await client.request({ action: 'sync' }, ['synced']);
  return { id: (body.user as { id: string }).id, token: body.token as string, client };
}

async function start(who: Customer, skill: string): Promise<string> {
  const started = await who.client.request({ action: 'start', skill, text: 'Hello?', clientMsgId: `hello-${skill}` }, ['conversation']);
  return (started.conversation as { id: string }).id;
}

/** Gone: the socket closed and its `$disconnect` removed the connection record. */
async function leave(who: Customer): Promise<void> {
  await who.client.close();
  await waitFor(async () => (await stack.wiring().ports.connections.listForUser(who.id, Math.floor(Date.now() / 1000))).length === 0, {
    timeoutMs: budget(1),
    message: 'the customer has no connection left',
  });
}

async function comeBack(who: Customer): Promise<void> {
  who.client = await RawClient.connect(stack.wsUrl, who.token);
  await who.client.request({ action: 'sync' }, ['synced']);
}

/** Lets the configured quiet time pass after `isoTs` (the feature's own timer, seconds here). */
const passed = (isoTs: string, seconds: number) =>
  waitFor(() => Date.now() >= Date.parse(isoTs) + seconds * 1000 + 50, { timeoutMs: seconds * 1000 + budget(1) });

const sweep = () => stack.runScheduled('reconcile');
const conversation = async (id: string) => (await stack.wiring().ports.conversations.get(id))!;
const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;
const systemMessage = (conversationId: string, text?: string) => (frame: Frame) =>
  about('message', conversationId)(frame) &&
  (frame.sender as { role: string }).role === 'system' &&
  (text === undefined || frame.text === text);

describe('abandoned chats', () => {
  it(
    'asks a departed customer whether they are still there, then closes the chat, frees the agent and tells both sides why',
    async () => {
      const agent = await agentOnline('patient', 'aband-a');
      const ann = await customer('Ann Abandons');
      const first = await start(ann, 'aband-a');
      await agent.waitFor(about('assigned', first));
      const asked = await agent.request({ action: 'message', conversationId: first, clientMsgId: 'q1', text: 'How can I help?' }, ['ack']);
      await leave(ann);

      await passed(String(asked.ts), AFTER_SECONDS);
      // Two sweeps at once: one notice is stored, sent and recorded.
      const reports = await Promise.all([1, 2].map(() => runAsEntry('reconcile', () => sweepAbandonedChats(stack.wiring().ports))));
      expect(reports.reduce((sum, report) => sum + report.noticed, 0)).toBe(1);
      const notice = await agent.waitFor(systemMessage(first));
      expect(notice).toMatchObject({ clientMsgId: `abandon-check:${first}:${asked.seq}`, text: expect.stringContaining('still there') });
      const noticed = await conversation(first);
      expect(noticed).toMatchObject({ status: 'assigned', abandonNoticeSeq: asked.seq, lastSeq: notice.seq });

      // Again before the close is due: nothing more.
      await sweep();
      expect(await conversation(first)).toEqual(noticed);

      // The agent is full: the next customer waits for it.
      const bo = await customer('Bo Waits');
      const second = await start(bo, 'aband-a');
      await bo.client.waitFor(about('queued', second));

      await passed(String(notice.ts), CLOSE_AFTER_SECONDS);
      await sweep();
      const closed = await agent.waitFor(about('closed', first));
      expect(closed).toMatchObject({ by: { id: 'system', role: 'system' }, reason: 'abandoned' });
      // The reason is in the thread, before the `closed` frame.
      const why = agent.frames.findIndex(systemMessage(first, ABANDONED_CLOSE_TEXT));
      expect(why).toBeGreaterThan(-1);
      expect(why).toBeLessThan(agent.frames.indexOf(closed));
      // The capacity it held went to the customer who waited.
      expect(await bo.client.waitFor(about('assigned', second))).toMatchObject({ agent: { id: 'patient' } });

      // Twice more: nothing changes.
      const settled = await conversation(first);
      expect(settled).toMatchObject({ status: 'closed', closeReason: 'abandoned', closedBy: { id: 'system', role: 'system' } });
      await sweep();
      await sweep();
      expect(await conversation(first)).toEqual(settled);
      expect(agent.frames.filter(about('closed', first))).toHaveLength(1);

      // Ann comes back: the chat is closed with both notices in it, and she can start another.
      await comeBack(ann);
      const session = ann.client.frames.find((frame) => frame.type === 'session')!;
      expect((session.conversations as Array<{ id: string; status: string }>).find((c) => c.id === first)?.status).toBe('closed');
      expect(ann.client.frames.filter(systemMessage(first)).map((frame) => frame.seq)).toEqual([notice.seq, settled.lastSeq]);
      expect(ann.client.frames.find(systemMessage(first, ABANDONED_CLOSE_TEXT))).toBeDefined();
      const closeAgain = await ann.client.request({ action: 'close', conversationId: first }, ['closed']);
      expect(closeAgain).toMatchObject({ reason: 'abandoned' });
      const third = await start(ann, 'aband-a');
      expect(third).not.toBe(first);

      await Promise.all([ann.client.close(), bo.client.close(), agent.close()]);
    },
    budget(30, (AFTER_SECONDS + CLOSE_AFTER_SECONDS) * 1000),
  ); // agent (5 steps), 2 customers (3 each), start, message, leave, 2 sweeps, notice, sweep, queued, 3 sweeps, closed, assigned, come back (2), close, start, closing

  it(
    'leaves a customer who is still connected alone, and a customer who answers the notice keeps the chat',
    async () => {
      const agent = await agentOnline('listener', 'aband-b');
      const cy = await customer('Cy Answers');
      const id = await start(cy, 'aband-b');
      await agent.waitFor(about('assigned', id));
      const asked = await agent.request({ action: 'message', conversationId: id, clientMsgId: 'q1', text: 'Anything else?' }, ['ack']);

      // Quiet long enough, but still connected: no notice.
      await passed(String(asked.ts), AFTER_SECONDS);
      await sweep();
      expect((await conversation(id)).lastSeq).toBe(asked.seq);

      await leave(cy);
      await sweep();
      const notice = await agent.waitFor(systemMessage(id));
      expect(notice.text).toContain('still there');

      // Cy comes back within the close time and answers, then leaves again.
      await comeBack(cy);
      expect(cy.client.frames.find(systemMessage(id))).toMatchObject({ seq: notice.seq });
      const answer = await cy.client.request({ action: 'message', conversationId: id, clientMsgId: 'a1', text: 'Yes, still here' }, [
        'ack',
      ]);
      await leave(cy);

      await passed(String(notice.ts), CLOSE_AFTER_SECONDS);
      await sweep();
      await sweep();
      expect(await conversation(id)).toMatchObject({ status: 'assigned', lastCustomerSeq: answer.seq, lastSeq: answer.seq });
      expect(agent.frames.filter(about('closed', id))).toEqual([]);
      await agent.close();
    },
    budget(24, (2 * AFTER_SECONDS + CLOSE_AFTER_SECONDS) * 1000),
  ); // agent (5 steps), customer (3), start, message, sweep, leave, sweep, notice, come back (2), answer, leave, 2 sweeps, closing
});
