import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, describe, expect, it } from 'vitest';
import { SesMailer, SesMailerError } from '../../../functions/adapters/ses/ses-mailer';
import { MailSuppressedError, MailUnavailableError } from '../../../functions/domain/mail';
import type { EmailAddressState, EmailAddressStatus, SuppressedAddress } from '../../../functions/ports/email-addresses';
import { refusingSuppressed } from '../../../functions/services/outbound-mail';
import { startSesServer, type SesServer } from '../../../local/ses/ses-server';
import { beforeAllOrFail, budget } from '../../support/setup';
import { waitFor } from '../../support/wait';

let ses: SesServer;
let client: SESv2Client;
const events: object[] = [];

beforeAllOrFail(async () => {
  ses = await startSesServer({
    port: 0,
    verifiedIdentities: ['parley.example'],
    configurationSets: ['parley-test'],
    onEvent: async (event) => {
      events.push(event);
    },
  });
  client = new SESv2Client({
    region: 'us-east-1',
    endpoint: ses.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}, budget(1));

afterAll(async () => {
  client?.destroy();
  await ses?.close();
});

const mailer = () =>
  new SesMailer(client, { from: 'support@parley.example', replyDomain: 'reply.parley.example', configurationSet: 'parley-test' });

describe('the SES v2 mailer against the local SES endpoint', () => {
  it('sends Simple content with Reply-To reply+<token>@, In-Reply-To/References, the configuration set and the purpose tag, in one request', async () => {
    const before = ses.requestCount();
    const sent = await mailer().send({
      to: 'ann@customer.example',
      subject: 'Re: 您的工单',
      text: 'Hello Ann',
      html: '<p>Hello Ann</p>',
      replyToken: 'tkt_0123456789',
      inReplyTo: 'CAJx@mail.gmail.com',
      purpose: 'ticket-reply',
    });
    expect(ses.requestCount()).toBe(before + 1);
    const stored = ses.store.list()[0]!;
    expect(stored.id).toBe(sent.messageId);
    expect(stored).toMatchObject({
      from: 'support@parley.example',
      to: ['ann@customer.example'],
      replyTo: 'reply+tkt_0123456789@reply.parley.example',
      subject: 'Re: 您的工单',
      text: 'Hello Ann',
      html: '<p>Hello Ann</p>',
      purpose: 'ticket-reply',
      configurationSet: 'parley-test',
      headers: [
        { name: 'In-Reply-To', value: '<CAJx@mail.gmail.com>' },
        { name: 'References', value: '<CAJx@mail.gmail.com>' },
      ],
    });
  });

  it('turns SES refusals into SesMailerError (a dependency failure), with SES error names the SDK recognises', async () => {
    const unverified = new SesMailer(client, { from: 'someone@unverified.example', configurationSet: 'parley-test' });
    const refused = await unverified
      .send({ to: 'ann@customer.example', subject: 's', text: 't', purpose: 'x' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SesMailerError);
    expect((refused as SesMailerError).cause).toMatchObject({
      name: 'MessageRejected',
      message: expect.stringContaining('Email address is not verified'),
      $metadata: { httpStatusCode: 400 },
    });
    const noSet = new SesMailer(client, { from: 'support@parley.example', configurationSet: 'missing-set' });
    const missing = await noSet
      .send({ to: 'ann@customer.example', subject: 's', text: 't', purpose: 'x' })
      .catch((error: unknown) => error);
    expect((missing as SesMailerError).cause).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('answers malformed SendEmail requests with BadRequestException, storing nothing', async () => {
    const count = ses.store.list().length;
    const send = (input: ConstructorParameters<typeof SendEmailCommand>[0]) =>
      client.send(new SendEmailCommand(input)).catch((error: unknown) => error);
    const noRecipient = await send({
      FromEmailAddress: 'support@parley.example',
      Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
    });
    expect(noRecipient).toMatchObject({ name: 'BadRequestException', message: 'Missing required parameter Destination' });
    const badAddress = await send({
      FromEmailAddress: 'support@parley.example',
      Destination: { ToAddresses: ['not an address'] },
      Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
    });
    expect(badAddress).toMatchObject({ name: 'BadRequestException', message: 'Illegal address: not an address' });
    const noBody = await send({
      FromEmailAddress: 'support@parley.example',
      Destination: { ToAddresses: ['a@customer.example'] },
      Content: { Simple: { Subject: { Data: 's' }, Body: {} } },
    });
    expect(noBody).toMatchObject({ name: 'BadRequestException', message: 'Missing required parameter Body' });
    expect(ses.store.list()).toHaveLength(count);
  });

  it('refuses to ask for replies when no reply domain is configured (unavailable), before any request', async () => {
    const before = ses.requestCount();
    const withoutReplies = new SesMailer(client, { from: 'support@parley.example' });
    await expect(
      withoutReplies.send({ to: 'a@customer.example', subject: 's', text: 't', replyToken: 'tkt_0123456789', purpose: 'x' }),
    ).rejects.toBeInstanceOf(MailUnavailableError);
    expect(ses.requestCount()).toBe(before);
  });

  it("publishes the mailbox simulator's bounce and complaint as SES event-publishing JSON", async () => {
    await mailer().send({ to: 'bounce+t1@simulator.amazonses.com', subject: 's', text: 't', purpose: 'transcript' });
    await mailer().send({ to: 'complaint@simulator.amazonses.com', subject: 's', text: 't', purpose: 'transcript' });
    await waitFor(() => events.length >= 2, { timeoutMs: budget(1), message: 'two simulator events' });
    expect(events[0]).toMatchObject({
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'bounce+t1@simulator.amazonses.com' }] },
      mail: { source: 'support@parley.example', tags: { 'ses:configuration-set': ['parley-test'], purpose: ['transcript'] } },
    });
    expect(events[1]).toMatchObject({
      eventType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: 'complaint@simulator.amazonses.com' }] },
    });
  });

  it('the guarded mailer refuses a bounced or complaining address without calling SES', async () => {
    const marks = new Map<string, EmailAddressState>([['gone@customer.example', 'bounced']]);
    const addresses: EmailAddressStatus = {
      statusOf: async (email) => marks.get(email.toLowerCase()) ?? 'ok',
      mark: async (entry: SuppressedAddress) => void marks.set(entry.email, entry.status),
      listSuppressed: async () => ({ addresses: [] }),
    };
    const guarded = refusingSuppressed(mailer(), addresses);
    const before = ses.requestCount();
    await expect(guarded.send({ to: 'Gone@customer.example', subject: 's', text: 't', purpose: 'x' })).rejects.toBeInstanceOf(
      MailSuppressedError,
    );
    expect(ses.requestCount()).toBe(before);
    await guarded.send({ to: 'fine@customer.example', subject: 's', text: 't', purpose: 'x' });
    expect(ses.requestCount()).toBe(before + 1);
  });
});
