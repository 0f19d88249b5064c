import { strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../../functions/domain/conversation';
import {
  archiveFiles,
  attachmentPath,
  customerProfile,
  emailsOf,
  exportFileName,
  isInProgress,
  searchAgentsOf,
  exportKey,
  NOT_INCLUDED,
  retentionExpiry,
  type ExportManifest,
} from '../../../functions/domain/customer-data';
import type { Message } from '../../../functions/domain/message';

const conversation = (id: string, extra: Partial<Conversation> = {}): Conversation => ({
  id,
  status: 'closed',
  customer: { id: 'guest:01J0000000000000000000000A', name: 'Erin' },
  skill: 'tech',
  lastSeq: 2,
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:05:00.000Z',
  ...extra,
});
const message = (conversationId: string, seq: number, extra: Partial<Message> = {}): Message => ({
  conversationId,
  seq,
  messageId: `m${seq}`,
  sender: { id: 'guest:01J0000000000000000000000A', role: 'customer', name: 'Erin' } as Message['sender'],
  text: `text ${seq}`,
  ts: '2026-11-30T10:01:00.000Z',
  ...extra,
});
const ATTACHMENT = { id: '01J00000000000000000000AAA', name: 'a.png', contentType: 'image/png', size: 3, kind: 'image' as const };

describe('customer export archive', () => {
  it('names the export key under exports/ and a safe file name', () => {
    expect(exportKey('01JX')).toBe('exports/01JX.zip');
    expect(exportFileName('guest:01J/x', '2026-12-01T11:00:00.000Z')).toBe('parley-export-guest_01J_x-2026-12-01.zip');
  });

  it('keeps attachment paths inside their conversation folder, whatever the name', () => {
    expect(attachmentPath('c1', 'A1', '../../etc/passwd')).toBe('conversations/c1/attachments/A1-__.._etc_passwd');
    expect(attachmentPath('c1', 'A1', '.hidden\u0007')).toBe('conversations/c1/attachments/A1-_hidden_');
  });

  it('collects the names, emails (ticket addresses too), locales and attrs the conversations recorded, without repeats', () => {
    const profile = customerProfile('guest:x', [
      conversation('c2', { customer: { id: 'guest:x', name: 'Erin Q', email: 'e@x.example' }, locale: 'en' }),
      conversation('c1', {
        customer: { id: 'guest:x', name: 'Erin' },
        locale: 'en',
        attrs: { plan: 'pro' },
        ticket: { state: 'open', email: 't@x.example', subject: 's', replyToken: 'tok' } as Conversation['ticket'],
      }),
    ]);
    expect(profile).toEqual({
      customerId: 'guest:x',
      names: ['Erin Q', 'Erin'],
      emails: ['e@x.example', 't@x.example'],
      locales: ['en'],
      attrs: [{ plan: 'pro' }],
    });
  });

  it('writes the manifest first, each conversation and its messages, the bytes of each attachment still stored', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const { files, manifest } = archiveFiles({
      customerId: 'guest:x',
      exportId: 'E1',
      exportedAt: '2026-12-01T11:00:00.000Z',
      exportedBy: 'admin',
      conversations: [
        {
          conversation: conversation('c1', { rating: { score: 4, comment: 'ok' } } as Partial<Conversation>),
          messages: [message('c1', 1), message('c1', 2, { attachment: ATTACHMENT })],
          attachments: new Map([[ATTACHMENT.id, bytes]]),
        },
        {
          conversation: conversation('c2'),
          messages: [message('c2', 1, { attachment: { ...ATTACHMENT, id: '01J00000000000000000000BBB' } })],
          // Gone from the bucket (expired): listed without a file.
          attachments: new Map([['01J00000000000000000000BBB', undefined]]),
        },
      ],
    });
    expect(Object.keys(files)[0]).toBe('manifest.json');
    expect(JSON.parse(strFromU8(files['manifest.json']!))).toEqual(manifest);
    const path = `conversations/c1/attachments/${ATTACHMENT.id}-a.png`;
    expect(Object.keys(files)).toEqual([
      'manifest.json',
      'customer.json',
      'conversations/c1/conversation.json',
      'conversations/c1/messages.json',
      path,
      'conversations/c2/conversation.json',
      'conversations/c2/messages.json',
    ]);
    expect(files[path]).toBe(bytes);
    expect(manifest).toMatchObject<Partial<ExportManifest>>({
      format: 'parley-customer-export',
      version: 1,
      exportedBy: 'admin',
      files: Object.keys(files).slice(1),
      notIncluded: NOT_INCLUDED,
    });
    expect(manifest.conversations[0]).toMatchObject({ id: 'c1', messages: 2, rated: true, ticket: false, attachments: [{ seq: 2, path }] });
    expect(manifest.conversations[1]!.attachments).toEqual([expect.not.objectContaining({ path: expect.anything() })]);
    expect(JSON.parse(strFromU8(files['conversations/c1/conversation.json']!))).toMatchObject({ rating: { score: 4, comment: 'ok' } });
  });
});

describe('customer erasure rules', () => {
  it('counts bot, queued and assigned conversations as in progress; closed ones and tickets not', () => {
    expect(['bot', 'queued', 'assigned', 'closed', 'ticket'].map((status) => isInProgress({ status } as Conversation))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it("forgets the customer's and the ticket's emails, lower-cased and once", () => {
    const ticket = { state: 'open', email: 'Erin@X.example', subject: 's', replyToken: 't' } as Conversation['ticket'];
    expect(emailsOf(conversation('c', { customer: { id: 'guest:x', name: 'E', email: 'erin@x.example' }, ticket }))).toEqual([
      'erin@x.example',
    ]);
    expect(emailsOf(conversation('c'))).toEqual([]);
  });

  it('looks for postings in the scope of every participant, backfilled agent and the last assignee', () => {
    expect(searchAgentsOf({ agent: { id: 'c', name: 'C' } }, { agents: ['a', 'b'], backfilled: ['b', 'd'] })).toEqual(['a', 'b', 'd', 'c']);
    expect(searchAgentsOf({}, { agents: [], backfilled: [] })).toEqual([]);
  });
});

describe('retention expiry', () => {
  it('is retentionDays after the close, in epoch seconds', () => {
    expect(retentionExpiry('2026-12-01T00:00:00.500Z', 30)).toBe(Date.parse('2026-12-31T00:00:00Z') / 1000);
  });
});
