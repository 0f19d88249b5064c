import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../functions/domain/conversation';
import type { Message } from '../../../functions/domain/message';
import { renderTranscript } from '../../../functions/domain/transcript';

const conversation: Conversation = {
  id: '01CONV',
  status: 'closed',
  customer: { id: 'guest:01CUSTOMER', name: '', email: 'ann@customer.example' },
  agent: { id: 'oidc:abc|agent@corp.example', name: 'Tess' },
  skill: 'billing',
  lastSeq: 3,
  createdAt: '2026-11-30T22:10:05.000Z',
  updatedAt: '2026-11-30T22:20:00.000Z',
};

const message = (seq: number, sender: Message['sender'], text: string, ts: string): Message => ({
  conversationId: conversation.id,
  seq,
  messageId: `m${seq}`,
  sender,
  text,
  ts,
});

const messages = [
  message(1, { id: 'guest:01CUSTOMER', role: 'customer', name: '' }, 'Hi <script>alert(1)</script>', '2026-11-30T22:10:05.000Z'),
  message(2, { id: 'system', role: 'system', name: 'Parley' }, 'No agent is online right now.', '2026-11-30T22:10:06.000Z'),
  message(3, { id: 'oidc:abc|agent@corp.example', role: 'agent', name: 'Tess' }, '我来帮您。\nLine two', '2026-11-30T22:11:00.000Z'),
];

describe('the emailed transcript', () => {
  it('names, UTC times and texts in order; no ids, skills or routing state', () => {
    const mail = renderTranscript(conversation, messages, false);
    expect(mail.subject).toBe('Your chat transcript (2026-11-30 22:10 UTC)');
    expect(mail.text).toBe(
      [
        'Chat transcript, started 2026-11-30 22:10 UTC',
        '',
        '[2026-11-30 22:10 UTC] Visitor:',
        'Hi <script>alert(1)</script>',
        '',
        '[2026-11-30 22:10 UTC] Parley:',
        'No agent is online right now.',
        '',
        '[2026-11-30 22:11 UTC] Tess:',
        '我来帮您。',
        'Line two',
      ].join('\n'),
    );
    for (const secret of ['guest:', 'oidc:', 'agent@corp.example', 'billing', '01CONV', 'closed']) {
      expect(mail.text).not.toContain(secret);
      expect(mail.html).not.toContain(secret);
    }
  });

  it('escapes the HTML part and says when the chat was cut', () => {
    const mail = renderTranscript(conversation, messages, true);
    expect(mail.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('我来帮您。<br>Line two');
    expect(mail.text.endsWith('(The transcript is cut after 3 messages.)')).toBe(true);
  });
});

describe('attachments in the emailed transcript (issue 11)', () => {
  it('names each file and its size instead of an empty line; the file itself is not mailed', () => {
    const customer = { id: 'guest:01CUSTOMER', role: 'customer', name: '' } as const;
    const attachment = {
      id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
      name: 'screen <1>.png',
      contentType: 'image/png',
      size: 2048,
      kind: 'image',
    } as const;
    const mail = renderTranscript(
      conversation,
      [
        { ...message(1, customer, '', '2026-11-30T22:10:05.000Z'), attachment },
        {
          ...message(2, customer, 'And the invoice', '2026-11-30T22:10:06.000Z'),
          attachment: { ...attachment, name: 'invoice.pdf', kind: 'file' },
        },
      ],
      false,
    );
    expect(mail.text).toContain('Visitor:\n[Attachment: screen <1>.png, 2 KB]');
    expect(mail.text).toContain('And the invoice\n[Attachment: invoice.pdf, 2 KB]');
    expect(mail.html).toContain('[Attachment: screen &lt;1&gt;.png, 2 KB]');
  });
});
