import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { functionServing, tableAccessOf } from '../../functions/routes';
import { isTableRequestAllowed } from '../../functions/table-access';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

/**
 * Internal notes (issue 10) end to end: staff write and read them, a transfer's note reaches
 * the agent who receives the conversation, and the customer never gets one in any frame,
 * sync, history or transcript mail, nor sees a gap in the message seqs where one sits.
 */
let stack: LocalStack;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

async function signIn(path: string, body: Record<string, unknown>): Promise<{ client: RawClient; token: string }> {
  const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
  const client = await RawClient.connect(stack.wsUrl, issued.token as string);
  await client.request({ action: 'sync' }, ['synced']);
  return { client, token: issued.token as string };
}

const staff = (email: string) => signIn('/v1/auth/login', { email, password: 'parley-demo' });
const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;
const notesOf = async (conversationId: string, token: string) =>
  (await getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/notes`, token)).body.notes as Frame[];

const TRANSFER_NOTE = 'Wants the March invoice reissued; already verified the address';

describe('internal notes on the local stack', () => {
  it(
    'a transfer note reaches the receiving agent; notes are acked once per clientMsgId; the customer never sees one',
    async () => {
      const customer = await signIn('/v1/auth/guest', { name: 'Nora' });
      const tech = await staff('agent.tech@example.com');
      await tech.client.request({ action: 'status', status: 'online' }, ['status']);
      const started = await customer.client.request(
        {
          action: 'start',
          skill: 'tech',
          text: 'My invoice is wrong',
          clientMsgId: 'n-1',
          profile: { name: 'Nora', email: 'nora@customer.example' },
        },
        ['conversation'],
      );
      const conversationId = (started.conversation as { id: string }).id;
      await tech.client.waitFor(about('assigned', conversationId));

      // Over to the billing queue with a note: the billing agent, who gets it, must read the note.
      const billing = await staff('agent.billing@example.com');
      await billing.client.request({ action: 'status', status: 'online' }, ['status']);
      await tech.client.request({ action: 'status', status: 'away' }, ['status']);
      await tech.client.request({ action: 'transfer', conversationId, toSkill: 'billing', note: TRANSFER_NOTE }, ['transferred']);
      await billing.client.waitFor(about('assigned', conversationId));

      // On the receiving agent's sync (with note cursors) and in the notes history.
      billing.client.send({ action: 'sync', noteCursors: {} });
      const replayed = await billing.client.next((frame) => frame.type === 'note' && frame.conversationId === conversationId);
      expect(replayed).toMatchObject({ seq: 1, text: TRANSFER_NOTE, sender: { id: 'agent-tech', role: 'agent' } });
      expect(replayed.clientMsgId).toMatch(/^transfer:/);
      expect(await billing.client.nextOfType('synced')).toMatchObject({ noteCursors: { [conversationId]: 1 } });
      expect((await notesOf(conversationId, billing.token)).map((note) => note.text)).toEqual([TRANSFER_NOTE]);

      // A note of the billing agent's own: acked with internal: true; a resend answers the same ack and stores nothing.
      const note = { action: 'note', conversationId, clientMsgId: 'bn-1', text: 'Reissue requested from finance' };
      const ack = await billing.client.request(note, ['ack']);
      expect(ack).toMatchObject({ type: 'ack', internal: true, conversationId, clientMsgId: 'bn-1', seq: 2 });
      expect(await billing.client.request(note, ['ack'])).toEqual(ack);
      expect((await notesOf(conversationId, billing.token)).map((stored) => stored.seq)).toEqual([1, 2]);

      // Bad notes from staff: a clear error each, and nothing stored.
      for (const [bad, code] of [
        [{ ...note, clientMsgId: 'bad-1', text: '  ' }, 'bad_request'],
        [{ ...note, clientMsgId: 'c'.repeat(65) }, 'bad_request'],
        [{ ...note, clientMsgId: 'bad-2', text: 'x'.repeat(8001) }, 'too_large'],
      ] as const) {
        expect(await billing.client.request(bad, ['error'])).toMatchObject({ code, action: 'note' });
      }
      expect((await notesOf(conversationId, billing.token)).map((stored) => stored.seq)).toEqual([1, 2]);

      // The customer's next message seq follows the last message: no gap where the notes sit.
      const before = (await getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/messages`, customer.token)).body
        .messages as Frame[];
      await billing.client.request({ action: 'message', conversationId, clientMsgId: 'bm-1', text: 'Done, a new invoice is on its way' }, [
        'ack',
      ]);
      const reply = await customer.client.waitFor((frame) => frame.type === 'message' && frame.clientMsgId === 'bm-1');
      expect(reply.seq).toBe((before.at(-1)?.seq as number) + 1);

      // A transfer to a named agent: the receiving agent gets the note live.
      await tech.client.request({ action: 'status', status: 'online' }, ['status']);
      await billing.client.request({ action: 'transfer', conversationId, toAgentId: 'agent-tech', note: 'Back to you for the tech part' }, [
        'transferred',
      ]);
      expect(await tech.client.waitFor((frame) => frame.type === 'note' && frame.text === 'Back to you for the tech part')).toMatchObject({
        conversationId,
        seq: 3,
        sender: { id: 'agent-billing' },
      });

      // The customer: no note frame live or on sync, none in history, none in the transcript mail.
      customer.client.send({ action: 'sync', cursors: { [conversationId]: 0 } });
      await customer.client.nextOfType('synced');
      expect(customer.client.all('note')).toEqual([]);
      const history = (await getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/messages`, customer.token)).body
        .messages as Frame[];
      expect(history.map((message) => message.seq)).toEqual(history.map((_message, index) => index + 1));
      await customer.client.request({ action: 'transcript', conversationId }, ['transcript']);
      const mails = (await getJson(stack.mail.messagesUrl)).body.messages as Frame[];
      const transcript = mails.find((mail) => mail.purpose === 'transcript' && (mail.to as string[]).includes('nora@customer.example'));
      expect(transcript?.text).toContain('a new invoice is on its way');
      const seenByCustomer = JSON.stringify([customer.client.all('message'), customer.client.all('transferred'), history, transcript]);
      for (const secret of [TRANSFER_NOTE, 'Reissue requested from finance', 'Back to you for the tech part']) {
        expect(seenByCustomer).not.toContain(secret);
      }

      await Promise.all([customer.client.close(), tech.client.close(), billing.client.close()]);
    },
    budget(40),
  ); // 3 sign-ins (3 steps each), start, statuses, 2 transfers, assignment, syncs, notes, messages, history reads, transcript
});

describe('no customer-facing path may read a note (IAM grants)', () => {
  // What a customer's views read: history, transcripts, ticket mail (quoting the thread), their own actions.
  // By the function each runs in: an HTTP route sharing a group's function has the group's grants.
  it.each(['list-messages', 'transcript', 'tickets-reply', 'tickets-get', 'tickets-create', 'mail-inbound', 'ticket', 'start', 'message'])(
    '%s is not granted the NOTES# partitions',
    (entry) => {
      for (const action of ['GetItem', 'Query', 'BatchGetItem']) {
        expect(isTableRequestAllowed(tableAccessOf(functionServing(entry)), { action, partitionKeys: ['NOTES#conv-1'] })).toBe(false);
      }
    },
  );
});
