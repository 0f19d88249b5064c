import { describe, expect, it } from 'vitest';
import { parseInboundMail } from '../../../functions/adapters/mime/inbound-parser';
import { REPLY_MARKER } from '../../../functions/domain/mail';
import { findReplyToken, stripQuotedReply } from '../../../functions/domain/mail-reply';
import { APPLE_MAIL, GMAIL, OUTLOOK, ZH_CN_BASE64, ZH_CN_QUOTED_PRINTABLE } from './inbound-samples';

const DOMAIN = 'reply.parley.example';

async function newText(raw: string) {
  const parsed = await parseInboundMail(Buffer.from(raw, 'utf8'));
  return { parsed, token: findReplyToken(parsed.recipients, DOMAIN), text: stripQuotedReply(parsed.text) };
}

describe('inbound mail: MIME parsing, the reply token and quote stripping on real-world layouts', () => {
  it('Gmail (multipart/alternative, attribution wrapped over two lines)', async () => {
    const { parsed, token, text } = await newText(GMAIL);
    expect(token).toBe('tkt_01HZX8K3Q2');
    expect(parsed.from).toEqual({ address: 'ann.example@gmail.com', name: 'Ann Example' });
    expect(parsed.messageId).toBe('<CAJx9Lw1k2=abc+def@mail.gmail.com>');
    expect(text).toBe('Yes, the invoice number is 1042.\nThanks!');
  });

  it('Outlook (quoted-printable Latin-1, underscore rule and From:/Sent: header block)', async () => {
    const { token, text } = await newText(OUTLOOK);
    expect(token).toBe('tkt_01HZX8K3Q2');
    expect(text).toBe('Hi,\n\nthe café order still shows the old price.\n\nBob');
  });

  it('Apple Mail (quoted attribution line)', async () => {
    const { text } = await newText(APPLE_MAIL);
    expect(text).toBe('It works after the restart.\n\nSent from my iPhone');
  });

  it('zh-CN in base64 with an encoded-word sender and subject', async () => {
    const { parsed, token, text } = await newText(ZH_CN_BASE64);
    expect(token).toBe('tkt_01HZX8K3Q2');
    expect(parsed.from).toEqual({ address: 'wang@example.cn', name: '王小明' });
    expect(parsed.subject).toBe('回复: 您的工单');
    expect(text).toBe('好的，我已经重启了路由器，现在可以上网了。\n谢谢！');
  });

  it('zh-CN in quoted-printable, the reply address in Cc, Gmail zh-CN attribution', async () => {
    const { token, text } = await newText(ZH_CN_QUOTED_PRINTABLE);
    expect(token).toBe('tkt_01HZX8K3Q2');
    expect(text).toBe('好的，谢谢。');
  });

  it("cuts at Parley's own reply marker and drops inline > quotes", () => {
    expect(stripQuotedReply(`Done.\n\n${REPLY_MARKER}\nold thread`)).toBe('Done.');
    expect(stripQuotedReply('> a quoted question\nMy answer\n> another\nMore')).toBe('My answer\nMore');
    expect(stripQuotedReply('Only text\n-- \nAnn, Example Corp')).toBe('Only text');
    expect(stripQuotedReply('-----Original Message-----\nFrom: x')).toBe('');
  });

  it('keeps ordinary lines that merely start with "On" or mention "wrote"', () => {
    const text = 'On Monday I tried again.\nMy colleague wrote: it failed.\nStill broken.';
    expect(stripQuotedReply(text)).toBe(text);
  });

  it('finds the token only in reply+<token>@ the reply domain', () => {
    expect(findReplyToken(['support@parley.example', 'reply+abcdefgh@reply.parley.example'], DOMAIN)).toBe('abcdefgh');
    expect(findReplyToken(['reply+abcdefgh@elsewhere.example'], DOMAIN)).toBeUndefined();
    expect(findReplyToken(['reply+short@reply.parley.example'], DOMAIN)).toBeUndefined();
    expect(findReplyToken(['reply+bad%token!!@reply.parley.example'], DOMAIN)).toBeUndefined();
    expect(findReplyToken(['REPLY+abcdefgh@Reply.Parley.Example'], DOMAIN)).toBe('abcdefgh');
  });
});
