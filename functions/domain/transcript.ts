import { formatBytes } from './attachment';
import type { Conversation } from './conversation';
import type { Message } from './message';

/** The most messages one transcript carries (a chat longer than this is cut, and says so). */
export const MAX_TRANSCRIPT_MESSAGES = 2000;

export interface TranscriptMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const escapeHtml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** `2026-11-30 22:10 UTC`: one unambiguous zone, since the mail is read anywhere. */
function utcTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The name the chat showed; never an id (a staff id may be an email or an OIDC subject). */
function senderName(message: Message): string {
  const name = message.sender.name.trim();
  if (name.length > 0) return name;
  return message.sender.role === 'customer' ? 'Visitor' : message.sender.role === 'system' ? 'Parley' : 'Agent';
}

/**
 * The customer's copy of a chat: who wrote what and when, in order. Only what the customer
 * saw in the chat: names, times and texts; no ids, skills, routing state or ratings.
 */
export function renderTranscript(conversation: Conversation, messages: readonly Message[], truncated: boolean): TranscriptMail {
  const started = utcTime(conversation.createdAt);
  const subject = `Your chat transcript (${started})`;
  const lines = messages.map((message) => `[${utcTime(message.ts)}] ${senderName(message)}:\n${bodyOf(message)}`);
  const cut = truncated ? [`(The transcript is cut after ${messages.length} messages.)`] : [];
  const text = [`Chat transcript, started ${started}`, '', ...lines.flatMap((line) => [line, '']), ...cut].join('\n').trimEnd();
  const rows = messages
    .map(
      (message) =>
        `<tr><td style="color:#666;white-space:nowrap;vertical-align:top;padding:4px 8px">${escapeHtml(utcTime(message.ts))}</td>` +
        `<td style="vertical-align:top;padding:4px 8px"><strong>${escapeHtml(senderName(message))}</strong><br>` +
        `${escapeHtml(bodyOf(message)).replace(/\n/g, '<br>')}</td></tr>`,
    )
    .join('');
  const html =
    `<!doctype html><html><body style="font-family:sans-serif"><p>Chat transcript, started ${escapeHtml(started)}</p>` +
    `<table style="border-collapse:collapse">${rows}</table>` +
    (truncated ? `<p>${escapeHtml(cut[0] ?? '')}</p>` : '') +
    '</body></html>';
  return { subject, text, html };
}

/** A message's words; a file it carries (issue 11) is named, not attached to the mail. */
function bodyOf(message: Message): string {
  if (!message.attachment) return message.text;
  const file = `[Attachment: ${message.attachment.name}, ${formatBytes(message.attachment.size)}]`;
  return message.text.trim() === '' ? file : `${message.text}\n${file}`;
}
