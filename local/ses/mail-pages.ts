import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../gateway/request-body';
import type { SentMailRecord, SentMailStore } from './sent-mail';

/** The local mail paths, served on the HTTP API's port next to /demo/ and /console/. */
export const MAIL_PATHS = {
  page: '/_local/mail',
  messages: '/_local/mail/messages',
  inbound: '/_local/mail/inbound',
} as const;

/** What posting an inbound mail did: where it was stored, and the inbound handler's result. */
export interface InboundDelivery {
  readonly key: string;
  readonly outcome: string;
}

export interface MailPagesOptions {
  readonly store: SentMailStore;
  /** Stores the raw mail where SES receiving would and hands the S3 event to the inbound handler. */
  readonly deliverInbound: (raw: Buffer) => Promise<InboundDelivery>;
}

const MAX_INBOUND_BYTES = 10 * 1024 * 1024;

const escapeHtml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The JSON view of one mail (`GET /_local/mail/messages`). */
function publicView(mail: SentMailRecord) {
  return {
    id: mail.id,
    from: mail.from,
    to: mail.to,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    text: mail.text,
    ...(mail.html !== undefined ? { html: mail.html } : {}),
    purpose: mail.purpose,
    sentAt: mail.sentAt,
    headers: mail.headers,
    messageIdHeader: mail.messageIdHeader,
  };
}

/** A customer's reply to `mail` as raw MIME: what a mail client would send to its Reply-To. */
export function draftReply(mail: SentMailRecord, text = 'Thanks, that helps.'): string {
  const customer = mail.to[0] ?? 'customer@example.com';
  const to = mail.replyTo ?? mail.from;
  const quoted = mail.text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return [
    `From: ${customer}`,
    `To: ${to}`,
    `Subject: ${/^re:/i.test(mail.subject) ? mail.subject : `Re: ${mail.subject}`}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}@customer.example>`,
    `In-Reply-To: ${mail.messageIdHeader}`,
    `References: ${mail.messageIdHeader}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    text,
    '',
    `On ${new Date(mail.sentAt).toUTCString()}, ${mail.from} wrote:`,
    quoted,
    '',
  ].join('\r\n');
}

function renderPage(mails: readonly SentMailRecord[], notice: string | undefined): string {
  const items = mails
    .map((mail) => {
      const headerRows = [
        ['From', mail.from],
        ['To', mail.to.join(', ')],
        ...(mail.replyTo ? [['Reply-To', mail.replyTo]] : []),
        ['Subject', mail.subject],
        ['Date', mail.sentAt],
        ['Purpose', mail.purpose],
        ...mail.headers.map((header) => [header.name, header.value]),
        ['Message-ID', mail.messageIdHeader],
      ]
        .map(([name, value]) => `<tr><th>${escapeHtml(name ?? '')}</th><td>${escapeHtml(value ?? '')}</td></tr>`)
        .join('');
      return `<article id="mail-${escapeHtml(mail.id)}">
<h2>${escapeHtml(mail.subject)}</h2>
<table>${headerRows}</table>
<pre>${escapeHtml(mail.text)}</pre>
<details><summary>Reply as the customer</summary>
<form method="post" action="${MAIL_PATHS.inbound}">
<textarea name="raw" rows="16" cols="100">${escapeHtml(draftReply(mail))}</textarea><br>
<button type="submit">Post inbound reply</button>
</form></details>
</article>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley local mail</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}article{border:1px solid #ccc;border-radius:6px;padding:0 1rem 1rem;margin:1rem 0}th{text-align:left;padding-right:1rem;color:#555;vertical-align:top}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}.notice{background:#eef6ee;padding:.5rem}</style>
</head><body>
<h1>Mail sent by this local stack</h1>
<p>Newest first. JSON: <a href="${MAIL_PATHS.messages}">${MAIL_PATHS.messages}</a>. Post a raw MIME reply to <code>${MAIL_PATHS.inbound}</code>, or use a form below.</p>
${notice ? `<p class="notice">${escapeHtml(notice)}</p>` : ''}
${items || '<p>No mail yet.</p>'}
</body></html>`;
}

function sendText(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store' });
  res.end(body);
}

const sendJsonBody = (res: ServerResponse, status: number, body: unknown) =>
  sendText(res, status, 'application/json; charset=utf-8', JSON.stringify(body));

/** Answers the `/_local/mail` paths; false for anything else. */
export function mailPages(options: MailPagesOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname.replace(/\/$/, '');
    if (path === MAIL_PATHS.page && req.method === 'GET') {
      const posted = url.searchParams.get('posted');
      const outcome = url.searchParams.get('outcome');
      const notice = posted ? `Inbound mail stored as ${posted}; the inbound handler answered: ${outcome ?? 'unknown'}` : undefined;
      sendText(res, 200, 'text/html; charset=utf-8', renderPage(options.store.list(), notice));
      return true;
    }
    if (path === MAIL_PATHS.messages && req.method === 'GET') {
      sendJsonBody(res, 200, { messages: options.store.list().map(publicView) });
      return true;
    }
    if (path === MAIL_PATHS.inbound && req.method === 'POST') {
      const read = await readBody(req, MAX_INBOUND_BYTES);
      if (read.kind === 'too-large') {
        sendJsonBody(res, 413, { error: { code: 'too_large', message: 'An inbound mail may be at most 10 MB (as SES receiving takes)' } });
        return true;
      }
      const fromForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      const raw = fromForm ? Buffer.from(new URLSearchParams(read.body.toString('utf8')).get('raw') ?? '', 'utf8') : read.body;
      if (raw.length === 0 || !/^[\x21-\x39\x3b-\x7e]+:/m.test(raw.subarray(0, 4096).toString('latin1'))) {
        sendJsonBody(res, 400, {
          error: { code: 'bad_request', message: 'Send a raw RFC 5322 message (headers, a blank line, the body)' },
        });
        return true;
      }
      const delivered = await options.deliverInbound(raw);
      if (fromForm) {
        res
          .writeHead(303, {
            location: `${MAIL_PATHS.page}?posted=${encodeURIComponent(delivered.key)}&outcome=${encodeURIComponent(delivered.outcome)}`,
          })
          .end();
      } else {
        sendJsonBody(res, 202, delivered);
      }
      return true;
    }
    if (path.startsWith(MAIL_PATHS.page)) {
      sendJsonBody(res, 405, { error: { code: 'bad_request', message: `${req.method} ${path} is not a local mail path` } });
      return true;
    }
    return false;
  };
}
