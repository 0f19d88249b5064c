import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_MAIL, startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

let stack: LocalStack;

beforeAllOrFail(async () => {
  // A short transcript limit, so the refusal is reached in a few requests.
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false, env: { RATE_LIMIT_TRANSCRIPTS: '3/3600' } });
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

async function guest(name: string, email?: string): Promise<{ client: RawClient; conversationId: string }> {
  const response = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name });
  expect(response.status).toBe(201);
  const client = await RawClient.connect(stack.wsUrl, response.body.token as string);
  client.send({ action: 'sync' });
  await client.nextOfType('synced');
  client.send({
    action: 'start',
    skill: 'billing',
    text: `Hello from ${name}: my invoice <b>is</b> wrong`,
    clientMsgId: 'c-1',
    ...(email ? { profile: { name, email } } : {}),
  });
  const conversation = await client.nextOfType('conversation');
  return { client, conversationId: (conversation.conversation as { id: string }).id };
}

async function staffToken(email: string): Promise<string> {
  const response = await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' });
  expect(response.status).toBe(200);
  return response.body.token as string;
}

async function sentMail(): Promise<Frame[]> {
  const response = await getJson(stack.mail.messagesUrl);
  expect(response.status).toBe(200);
  return response.body.messages as Frame[];
}

describe('mail on the local stack', () => {
  it(
    'emails a transcript to the given or stored address, shows it at /_local/mail, and refuses bad requests without sending',
    async () => {
      const ann = await guest('Ann', 'ann@customer.example');
      expect(await ann.client.request({ action: 'transcript', conversationId: ann.conversationId }, ['transcript'])).toEqual({
        type: 'transcript',
        conversationId: ann.conversationId,
        email: 'ann@customer.example',
      });
      const other = { action: 'transcript', conversationId: ann.conversationId, email: 'ann.other@customer.example' };
      expect(await ann.client.request(other, ['transcript'])).toMatchObject({ email: 'ann.other@customer.example' });

      const mails = await sentMail();
      expect(mails.slice(0, 2).map((mail) => mail.to)).toEqual([['ann.other@customer.example'], ['ann@customer.example']]);
      const transcript = mails[1]!;
      expect(transcript).toMatchObject({ from: LOCAL_MAIL.from, purpose: 'transcript' });
      expect(transcript.subject).toMatch(/^Your chat transcript/);
      expect(transcript.text).toContain('Ann:');
      expect(transcript.text).toContain('my invoice <b>is</b> wrong');
      // No internal data: no ids, no skill.
      expect(transcript.text).not.toContain(ann.conversationId);
      expect(transcript.text).not.toContain('guest:');
      expect(transcript.html).toContain('my invoice &lt;b&gt;is&lt;/b&gt; wrong');

      const page = await fetch(stack.mail.pageUrl);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('Your chat transcript');

      // The limit (3 per hour here): the third passes, the fourth is refused before SES.
      expect(await ann.client.request({ ...other, email: 'ann3@customer.example' }, ['transcript'])).toMatchObject({ type: 'transcript' });
      const before = stack.mail.sendRequestCount();
      expect(await ann.client.request({ ...other, email: 'ann4@customer.example' }, ['error'])).toMatchObject({
        code: 'rate_limited',
        action: 'transcript',
      });

      // No stored address and none given; someone else's conversation; a malformed address.
      const bob = await guest('Bob');
      expect(await bob.client.request({ action: 'transcript', conversationId: bob.conversationId }, ['error'])).toMatchObject({
        code: 'bad_request',
      });
      expect(
        await bob.client.request({ action: 'transcript', conversationId: ann.conversationId, email: 'bob@customer.example' }, ['error']),
      ).toMatchObject({ code: 'forbidden' });
      expect(
        await bob.client.request({ action: 'transcript', conversationId: bob.conversationId, email: 'not-an-address' }, ['error']),
      ).toMatchObject({ code: 'bad_request' });
      expect(stack.mail.sendRequestCount()).toBe(before);
      ann.client.close();
      bob.client.close();
    },
    budget(16),
  );

  it(
    'a bounce marks the address through the SES event handler, the next send to it is refused, and supervisors see it',
    async () => {
      const carol = await guest('Carol');
      const bounce = 'bounce@simulator.amazonses.com';
      expect(
        await carol.client.request({ action: 'transcript', conversationId: carol.conversationId, email: bounce }, ['transcript']),
      ).toMatchObject({
        email: bounce,
      });
      const supervisor = await staffToken('supervisor@example.com');
      const listed = await waitFor(
        async () => {
          const response = await getJson(`${stack.httpUrl}/v1/mail/suppressions`, supervisor);
          return (response.body.addresses as Frame[]).find((entry) => entry.email === bounce);
        },
        { timeoutMs: budget(3), message: 'the bounce to be listed' },
      );
      expect(listed).toMatchObject({ status: 'bounced', reason: expect.stringMatching(/^Permanent\/General/) });

      const requests = stack.mail.sendRequestCount();
      const refused = await carol.client.request({ action: 'transcript', conversationId: carol.conversationId, email: bounce }, ['error']);
      expect(refused).toMatchObject({ code: 'conflict', message: expect.stringContaining('bounced') });
      expect(stack.mail.sendRequestCount()).toBe(requests);

      // A complaint marks its address too.
      const complaint = 'complaint@simulator.amazonses.com';
      await carol.client.request({ action: 'transcript', conversationId: carol.conversationId, email: complaint }, ['transcript']);
      await waitFor(
        async () => {
          const response = await getJson(`${stack.httpUrl}/v1/mail/suppressions`, supervisor);
          return (response.body.addresses as Frame[]).some((entry) => entry.email === complaint && entry.status === 'complained');
        },
        { timeoutMs: budget(3), message: 'the complaint to be listed' },
      );

      // Agents and customers may not read the list.
      const agent = await staffToken('agent.tech@example.com');
      expect((await getJson(`${stack.httpUrl}/v1/mail/suppressions`, agent)).status).toBe(403);
      const admin = await staffToken('admin@example.com');
      expect((await getJson(`${stack.httpUrl}/v1/mail/suppressions`, admin)).status).toBe(200);
      carol.client.close();
    },
    budget(14),
  );

  it(
    'an inbound reply posted as raw MIME is stored in the bucket and reaches the inbound handler',
    async () => {
      const reply = [
        'From: Ann <ann@customer.example>',
        `To: reply+tok_abcdef123456@${LOCAL_MAIL.replyDomain}`,
        'Subject: Re: Your ticket',
        'Message-ID: <inbound-1@customer.example>',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'It works now, thanks!',
        '',
        'On Mon, 30 Nov 2026 at 22:10, Parley Support <support@parley.example> wrote:',
        '> Please restart it.',
        '',
      ].join('\r\n');
      const response = await fetch(stack.mail.inboundUrl, { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: reply });
      expect(response.status).toBe(202);
      const delivered = (await response.json()) as { key: string; outcome: string };
      expect(delivered.key).toMatch(/^inbound\//);
      // Until tickets exist (issue 9 part B), receiveTicketReply knows no token: the mail was
      // read back from S3, parsed, threaded by its token and dropped as unknown.
      expect(delivered.outcome).toBe('unknown-token');

      const noToken = reply.replace(`reply+tok_abcdef123456@${LOCAL_MAIL.replyDomain}`, 'someone@parley.example');
      const second = await fetch(stack.mail.inboundUrl, { method: 'POST', body: noToken });
      expect(await second.json()).toMatchObject({ outcome: 'no-token' });

      // The page's form posts the same raw text, url-encoded, and comes back to the page.
      const form = await fetch(stack.mail.inboundUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ raw: reply.replace('inbound-1@', 'inbound-2@') }).toString(),
        redirect: 'manual',
      });
      expect(form.status).toBe(303);
      expect(form.headers.get('location')).toMatch(/^\/_local\/mail\?posted=inbound%2F.+&outcome=unknown-token$/);

      const garbage = await fetch(stack.mail.inboundUrl, { method: 'POST', body: '' });
      expect(garbage.status).toBe(400);
      expect(await garbage.json()).toMatchObject({ error: { code: 'bad_request' } });
    },
    budget(6),
  );
});
