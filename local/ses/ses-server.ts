import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { sendJson } from '../gateway/aws-error-response';
import { closeServer, hostWithPort, listen } from '../gateway/listen';
import { readBody } from '../gateway/request-body';
import { simulatedEvent, simulatedOutcome } from './mailbox-simulator';
import { SesRequestError, sendSesError } from './ses-errors';
import { newSesMessageId, SentMailStore, type SentMailRecord } from './sent-mail';

export interface SesServerOptions {
  readonly port: number;
  readonly host?: string;
  /** Verified identities: addresses or whole domains. A From outside them is MessageRejected. */
  readonly verifiedIdentities: readonly string[];
  /** Configuration sets that exist; naming another is NotFoundException. */
  readonly configurationSets: readonly string[];
  readonly dataDir?: string;
  /** Receives each mailbox-simulator event (the SNS message SES would publish), after the send's answer. */
  readonly onEvent?: (event: object) => Promise<void>;
  readonly onEventError?: (error: unknown) => void;
  readonly now?: () => Date;
}

export interface SesServer {
  readonly endpoint: string;
  readonly store: SentMailStore;
  /** SendEmail requests answered (any outcome), for tests counting calls. */
  requestCount(): number;
  close(): Promise<void>;
}

const LOCAL_ACCOUNT = '000000000000';
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** `Name <a@b>` or `a@b` -> `a@b`. */
function bareAddress(value: string): string {
  const match = /<([^>]+)>\s*$/.exec(value);
  return (match?.[1] ?? value).trim();
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringList = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;

function textOf(content: unknown, field: string): string | undefined {
  if (content === undefined) return undefined;
  if (!isRecord(content) || typeof content.Data !== 'string') throw new SesRequestError('BadRequestException', `${field}.Data is required`);
  return content.Data;
}

/** SendEmail's checks, in SES's words where they are known. */
function acceptSendEmail(body: unknown, options: SesServerOptions, now: Date): SentMailRecord {
  if (!isRecord(body)) throw new SesRequestError('BadRequestException', 'The request body is not a JSON object');
  if (typeof body.FromEmailAddress !== 'string' || body.FromEmailAddress.length === 0) {
    throw new SesRequestError('BadRequestException', 'Missing required parameter FromEmailAddress');
  }
  const from = bareAddress(body.FromEmailAddress);
  if (!ADDRESS.test(from)) throw new SesRequestError('BadRequestException', `Illegal address: ${from}`);
  const destination = isRecord(body.Destination) ? body.Destination : {};
  const to = stringList(destination.ToAddresses ?? []);
  const cc = stringList(destination.CcAddresses ?? []);
  const bcc = stringList(destination.BccAddresses ?? []);
  if (!to || !cc || !bcc) throw new SesRequestError('BadRequestException', 'Destination addresses must be lists of strings');
  const recipients = [...to, ...cc, ...bcc];
  if (recipients.length === 0) throw new SesRequestError('BadRequestException', 'Missing required parameter Destination');
  if (recipients.length > 50) throw new SesRequestError('MessageRejected', 'Recipient count exceeds 50.');
  for (const recipient of recipients) {
    if (!ADDRESS.test(bareAddress(recipient))) throw new SesRequestError('BadRequestException', `Illegal address: ${recipient}`);
  }
  const replyTo = stringList(body.ReplyToAddresses ?? []);
  if (!replyTo) throw new SesRequestError('BadRequestException', 'ReplyToAddresses must be a list of strings');
  const content = isRecord(body.Content) ? body.Content : undefined;
  const simple = content && isRecord(content.Simple) ? content.Simple : undefined;
  if (!simple) {
    const given = content ? Object.keys(content).join(', ') || 'nothing' : 'nothing';
    throw new SesRequestError('BadRequestException', `Content must be Simple here (the local endpoint does not take ${given})`);
  }
  const subject = textOf(simple.Subject, 'Subject');
  if (subject === undefined) throw new SesRequestError('BadRequestException', 'Missing required parameter Subject');
  const bodyParts = isRecord(simple.Body) ? simple.Body : {};
  const text = textOf(bodyParts.Text, 'Body.Text');
  const html = textOf(bodyParts.Html, 'Body.Html');
  if (text === undefined && html === undefined) throw new SesRequestError('BadRequestException', 'Missing required parameter Body');
  const headers = Array.isArray(simple.Headers)
    ? simple.Headers.map((header) => {
        if (!isRecord(header) || typeof header.Name !== 'string' || typeof header.Value !== 'string') {
          throw new SesRequestError('BadRequestException', 'Each header needs Name and Value');
        }
        return { name: header.Name, value: header.Value };
      })
    : [];
  const configurationSet = typeof body.ConfigurationSetName === 'string' ? body.ConfigurationSetName : undefined;
  if (configurationSet !== undefined && !options.configurationSets.includes(configurationSet)) {
    throw new SesRequestError('NotFoundException', `Configuration set <${configurationSet}> does not exist.`);
  }
  const fromDomain = from.split('@')[1]?.toLowerCase() ?? '';
  const verified = options.verifiedIdentities.some((identity) => {
    const lower = identity.toLowerCase();
    return lower === from.toLowerCase() || lower === fromDomain;
  });
  if (!verified) {
    throw new SesRequestError(
      'MessageRejected',
      `Email address is not verified. The following identities failed the check in region US-EAST-1: ${from}`,
    );
  }
  const tags = Array.isArray(body.EmailTags) ? body.EmailTags.filter(isRecord) : [];
  const purpose = tags.find((tag) => tag.Name === 'purpose')?.Value;
  const id = newSesMessageId();
  return {
    id,
    from: body.FromEmailAddress,
    to: recipients,
    ...(replyTo.length > 0 ? { replyTo: replyTo.join(', ') } : {}),
    subject,
    text: text ?? '',
    ...(html !== undefined ? { html } : {}),
    purpose: typeof purpose === 'string' ? purpose : 'none',
    sentAt: now.toISOString(),
    headers,
    ...(configurationSet !== undefined ? { configurationSet } : {}),
    messageIdHeader: `<${id}@email.amazonses.com>`,
  };
}

/**
 * The SES v2 API as far as Parley uses it: `POST /v2/email/outbound-emails` (SendEmail, Simple
 * content), with SES's error shapes, keeping every accepted mail for `/_local/mail`.
 */
export async function startSesServer(options: SesServerOptions): Promise<SesServer> {
  const host = options.host ?? '127.0.0.1';
  const store = new SentMailStore(options.dataDir);
  const now = options.now ?? (() => new Date());
  let requests = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST' || path !== '/v2/email/outbound-emails') {
      sendJson(
        res,
        404,
        { message: `The local SES endpoint answers SendEmail only (not ${req.method} ${path})` },
        { 'x-amzn-ErrorType': 'NotFoundException' },
      );
      return;
    }
    requests += 1;
    const read = await readBody(req, MAX_BODY_BYTES);
    if (read.kind === 'too-large') {
      sendSesError(res, new SesRequestError('MessageRejected', 'Message length is more than 10485760 bytes long'), requestId);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(read.body.toString('utf8'));
    } catch {
      sendSesError(res, new SesRequestError('BadRequestException', 'The request body is not valid JSON'), requestId);
      return;
    }
    let mail: SentMailRecord;
    try {
      mail = acceptSendEmail(body, options, now());
    } catch (error) {
      if (error instanceof SesRequestError) {
        sendSesError(res, error, requestId);
        return;
      }
      throw error;
    }
    store.add(mail);
    sendJson(res, 200, { MessageId: mail.id }, { 'x-amzn-RequestId': requestId });
    // As on AWS, the event follows the send, asynchronously.
    for (const recipient of mail.to) {
      const outcome = simulatedOutcome(bareAddress(recipient));
      if (outcome && options.onEvent) {
        const event = simulatedEvent(outcome, bareAddress(recipient), mail, now(), LOCAL_ACCOUNT);
        setImmediate(() => {
          options.onEvent!(event).catch((error: unknown) => options.onEventError?.(error));
        });
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: String(error) }, { 'x-amzn-ErrorType': 'InternalFailure' });
      else res.destroy();
    });
  });
  const port = await listen(server, options.port, host);
  return {
    endpoint: `http://${hostWithPort(host, port)}`,
    store,
    requestCount: () => requests,
    close: () => closeServer(server),
  };
}
