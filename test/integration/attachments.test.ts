import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

/**
 * Attachments (issue 11, docs/attachments.md) end to end on the local stack: a real PNG goes
 * up on a presigned POST to the local S3 endpoint, a message carries it, the agent receives it
 * and downloads it on a presigned GET; and each refusal stores nothing.
 */
const MAX_BYTES = 64 * 1024;
let stack: LocalStack;

beforeAllOrFail(async () => {
  // A small limit keeps the oversized upload small; the rule is the same at 10 MB.
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false, env: { ATTACHMENT_MAX_BYTES: String(MAX_BYTES) } });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

// A 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
// The start of a Windows executable (MZ header), padded.
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]);

async function signIn(path: string, body: Record<string, unknown>): Promise<{ client: RawClient; token: string }> {
  const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
  const client = await RawClient.connect(stack.wsUrl, issued.token as string);
  await client.request({ action: 'sync' }, ['synced']);
  return { client, token: issued.token as string };
}

const staff = (email: string) => signIn('/v1/auth/login', { email, password: 'parley-demo' });

interface Grant {
  attachmentId: string;
  upload: { url: string; fields: Record<string, string> };
}

async function grant(token: string, conversationId: string, name: string, contentType: string, size: number) {
  return postJson(`${stack.httpUrl}/v1/attachments`, { conversationId, name, contentType, size }, token);
}

/** The browser's upload: the grant's fields, then the file, as multipart/form-data. */
async function upload(granted: Grant, bytes: Buffer, contentType: string): Promise<number> {
  const form = new FormData();
  for (const [key, value] of Object.entries(granted.upload.fields)) form.append(key, value);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }));
  const response = await fetch(granted.upload.url, { method: 'POST', body: form });
  await response.arrayBuffer();
  return response.status;
}

async function uploaded(token: string, conversationId: string, name: string, contentType: string, bytes: Buffer, size = bytes.length) {
  const answer = await grant(token, conversationId, name, contentType, size);
  expect(answer.status).toBe(201);
  expect(await upload(answer.body as Grant, bytes, contentType)).toBe(204);
  return (answer.body as Grant).attachmentId;
}

const messagesOf = async (conversationId: string, token: string) =>
  (await getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/messages`, token)).body.messages as Frame[];
const downloadOf = (conversationId: string, attachmentId: string, token: string) =>
  getJson(`${stack.httpUrl}/v1/conversations/${conversationId}/attachments/${attachmentId}`, token);

describe('attachments on the local stack', () => {
  it(
    'a PNG sent by the customer reaches the agent, who downloads it; history and sync show it',
    async () => {
      const customer = await signIn('/v1/auth/guest', { name: 'Ada' });
      const tech = await staff('agent.tech@example.com');
      await tech.client.request({ action: 'status', status: 'online' }, ['status']);
      const started = await customer.client.request({ action: 'start', skill: 'tech', text: 'Look at this', clientMsgId: 'a-1' }, [
        'conversation',
      ]);
      const conversationId = (started.conversation as { id: string }).id;
      await tech.client.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);

      const attachmentId = await uploaded(customer.token, conversationId, 'screen shot.png', 'image/png', PNG);
      const sent = { action: 'message', conversationId, clientMsgId: 'a-2', attachment: { id: attachmentId } };
      const ack = await customer.client.request(sent, ['ack']);
      const expected = { id: attachmentId, name: 'screen shot.png', contentType: 'image/png', size: PNG.length, kind: 'image' };
      const received = await tech.client.waitFor((frame) => frame.type === 'message' && frame.clientMsgId === 'a-2');
      expect(received).toMatchObject({ conversationId, seq: ack.seq, text: '', attachment: expected });
      // A resend is the same message: the same ack, nothing stored twice.
      expect(await customer.client.request(sent, ['ack'])).toEqual(ack);

      const download = await downloadOf(conversationId, attachmentId, tech.token);
      expect(download.status).toBe(200);
      expect(download.body.attachment).toEqual(expected);
      const file = await fetch(download.body.url as string);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('image/png');
      expect(file.headers.get('content-disposition')).toMatch(/^inline; filename="screen shot.png"/);
      expect(Buffer.from(await file.arrayBuffer()).equals(PNG)).toBe(true);

      const history = await messagesOf(conversationId, tech.token);
      expect(history.filter((message) => message.attachment !== undefined)).toEqual([expect.objectContaining({ attachment: expected })]);
      const other = await RawClient.connect(stack.wsUrl, customer.token);
      other.send({ action: 'sync', cursors: { [conversationId]: 0 } });
      await other.nextOfType('synced');
      expect(other.all('message').find((message) => message.clientMsgId === 'a-2')).toMatchObject({ attachment: expected });

      // A text file with a caption: a file card, downloaded as an attachment (never rendered inline).
      const notes = Buffer.from('order,amount\n1234,9.99\n');
      const csvId = await uploaded(tech.token, conversationId, '订单.csv', 'text/csv', notes);
      await tech.client.request({ action: 'message', conversationId, clientMsgId: 't-1', text: 'Your orders', attachment: { id: csvId } }, [
        'ack',
      ]);
      const card = await customer.client.waitFor((frame) => frame.type === 'message' && frame.clientMsgId === 't-1');
      expect(card).toMatchObject({ text: 'Your orders', attachment: { name: '订单.csv', kind: 'file', size: notes.length } });
      const csv = await downloadOf(conversationId, csvId, customer.token);
      const csvFile = await fetch(csv.body.url as string);
      expect(csvFile.headers.get('content-disposition')).toBe(
        `attachment; filename="__.csv"; filename*=UTF-8''${encodeURIComponent('订单.csv')}`,
      );
      expect(await csvFile.text()).toBe(notes.toString());

      await Promise.all([customer.client.close(), other.close(), tech.client.close()]);
    },
    budget(40),
  ); // 2 sign-ins, start, assignment, 2 grants and uploads, 3 messages, 2 downloads, history, sync

  it(
    'refuses an oversized file, an .exe renamed .png, a download by a non-participant and an id from another conversation',
    async () => {
      const customer = await signIn('/v1/auth/guest', { name: 'Bea' });
      const tech = await staff('agent.tech@example.com');
      await tech.client.request({ action: 'status', status: 'online' }, ['status']);
      const started = await customer.client.request({ action: 'start', skill: 'tech', text: 'Hello', clientMsgId: 'b-1' }, [
        'conversation',
      ]);
      const conversationId = (started.conversation as { id: string }).id;
      await tech.client.waitFor((frame) => frame.type === 'assigned' && frame.conversationId === conversationId);
      const stored = async () => (await messagesOf(conversationId, customer.token)).length;
      const before = await stored();

      // Over the limit: no grant. A file larger than its grant (S3 refuses it; s3rver does not): refused at send.
      expect(await grant(customer.token, conversationId, 'big.png', 'image/png', MAX_BYTES + 1)).toMatchObject({
        status: 413,
        body: { error: { code: 'too_large' } },
      });
      const big = Buffer.concat([PNG, Buffer.alloc(MAX_BYTES, 1)]);
      const bigId = await uploaded(customer.token, conversationId, 'big.png', 'image/png', big, PNG.length);
      expect(
        await customer.client.request({ action: 'message', conversationId, clientMsgId: 'b-2', attachment: { id: bigId } }, ['error']),
      ).toMatchObject({
        code: 'too_large',
        action: 'message',
        clientMsgId: 'b-2',
      });

      // An executable named .png: its magic bytes give it away; the upload is deleted.
      const exeId = await uploaded(customer.token, conversationId, 'cat.png', 'image/png', EXE);
      const refused = await customer.client.request({ action: 'message', conversationId, clientMsgId: 'b-3', attachment: { id: exeId } }, [
        'error',
      ]);
      expect(refused).toMatchObject({ code: 'bad_request', action: 'message' });
      expect(refused.message).toContain('application/x-msdownload');
      expect(
        await customer.client.request({ action: 'message', conversationId, clientMsgId: 'b-4', attachment: { id: exeId } }, ['error']),
      ).toMatchObject({
        code: 'not_found',
      });
      // Not an allowed type, or a name that does not fit it: no grant.
      expect((await grant(customer.token, conversationId, 'run.exe', 'application/x-msdownload', 100)).status).toBe(400);
      expect((await grant(customer.token, conversationId, 'cat.exe', 'image/png', 100)).status).toBe(400);
      expect(await stored()).toBe(before);

      // The agent cannot send the customer's upload as its own.
      const theirs = await uploaded(customer.token, conversationId, 'theirs.png', 'image/png', PNG);
      expect(
        await tech.client.request({ action: 'message', conversationId, clientMsgId: 't-9', attachment: { id: theirs } }, ['error']),
      ).toMatchObject({ code: 'forbidden' });

      // A good one, for the refusals below.
      const pngId = await uploaded(customer.token, conversationId, 'ok.png', 'image/png', PNG);
      await customer.client.request({ action: 'message', conversationId, clientMsgId: 'b-5', attachment: { id: pngId } }, ['ack']);
      expect(await stored()).toBe(before + 1);

      // Another customer, and an agent who neither has the chat nor serves its skill: no download URL.
      const stranger = await signIn('/v1/auth/guest', { name: 'Eve' });
      expect((await downloadOf(conversationId, pngId, stranger.token)).status).toBe(403);
      const billing = await staff('agent.billing@example.com');
      expect((await downloadOf(conversationId, pngId, billing.token)).status).toBe(403);
      expect((await grant(stranger.token, conversationId, 'x.png', 'image/png', PNG.length)).status).toBe(403);

      // The stranger's own conversation cannot reference (or fetch through it) an upload of this one.
      const own = await stranger.client.request({ action: 'start', skill: 'tech', text: 'Me too', clientMsgId: 'e-1' }, ['conversation']);
      const ownId = (own.conversation as { id: string }).id;
      expect(
        await stranger.client.request({ action: 'message', conversationId: ownId, clientMsgId: 'e-2', attachment: { id: pngId } }, [
          'error',
        ]),
      ).toMatchObject({
        code: 'not_found',
      });
      expect((await downloadOf(ownId, pngId, stranger.token)).status).toBe(404);
      expect((await messagesOf(ownId, stranger.token)).some((message) => message.attachment !== undefined)).toBe(false);

      await Promise.all([customer.client.close(), tech.client.close(), stranger.client.close(), billing.client.close()]);
    },
    budget(55),
  ); // 4 sign-ins, 2 starts, assignment, 7 grants, 5 uploads, 7 messages, 4 downloads, history reads
});
