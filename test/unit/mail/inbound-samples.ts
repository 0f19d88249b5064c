/**
 * Replies as real mail clients write them (header layout, attribution lines, quoting and
 * transfer encodings), to reply+<token>@reply.parley.example.
 */
const TO = 'reply+tkt_01HZX8K3Q2@reply.parley.example';

const crlf = (lines: string[]) => lines.join('\r\n');

export const GMAIL = crlf([
  'MIME-Version: 1.0',
  'Date: Mon, 30 Nov 2026 23:02:11 +0100',
  'Message-ID: <CAJx9Lw1k2=abc+def@mail.gmail.com>',
  'In-Reply-To: <0100018c-aaaa-bbbb@email.amazonses.com>',
  'Subject: Re: Your ticket: invoice 1042',
  'From: Ann Example <ann.example@gmail.com>',
  `To: Parley Support <${TO}>`,
  'Content-Type: multipart/alternative; boundary="000000000000a1b2c3"',
  '',
  '--000000000000a1b2c3',
  'Content-Type: text/plain; charset="UTF-8"',
  '',
  'Yes, the invoice number is 1042.',
  'Thanks!',
  '',
  'On Mon, Nov 30, 2026 at 10:45 PM Parley Support <',
  `${TO}> wrote:`,
  '',
  '> ##- Please type your reply above this line -##',
  '>',
  '> Could you tell us the invoice number?',
  '>',
  '',
  '--000000000000a1b2c3',
  'Content-Type: text/html; charset="UTF-8"',
  '',
  '<div dir="ltr">Yes, the invoice number is 1042.<div>Thanks!</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Nov 30, 2026 at 10:45 PM Parley Support &lt;<a href="mailto:x">x</a>&gt; wrote:<br></div><blockquote class="gmail_quote">Could you tell us the invoice number?</blockquote></div>',
  '',
  '--000000000000a1b2c3--',
  '',
]);

export const OUTLOOK = crlf([
  'From: Bob Builder <bob@contoso.example>',
  `To: "Parley Support" <${TO}>`,
  'Subject: RE: Your ticket: invoice 1042',
  'Date: Mon, 30 Nov 2026 22:10:00 +0000',
  'Message-ID: <AM0PR07MB1234.eurprd07.prod.outlook.com>',
  'Content-Type: text/plain; charset="iso-8859-1"',
  'Content-Transfer-Encoding: quoted-printable',
  'MIME-Version: 1.0',
  '',
  'Hi,',
  '',
  'the caf=E9 order still shows the old price.',
  '',
  'Bob',
  '',
  '________________________________',
  'From: Parley Support <support@parley.example>',
  'Sent: Monday, November 30, 2026 9:45 PM',
  'To: Bob Builder <bob@contoso.example>',
  'Subject: Your ticket: invoice 1042',
  '',
  '##- Please type your reply above this line -##',
  'Could you tell us the invoice number?',
  '',
]);

export const APPLE_MAIL = crlf([
  'From: Chloe <chloe@icloud.example>',
  'Content-Type: text/plain; charset=us-ascii',
  'Content-Transfer-Encoding: 7bit',
  'Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))',
  'Subject: Re: Your ticket',
  'Message-Id: <5E7B1C2D-1111-2222-3333-444455556666@icloud.example>',
  'Date: Mon, 30 Nov 2026 22:30:00 +0100',
  `To: ${TO}`,
  '',
  'It works after the restart.',
  '',
  'Sent from my iPhone',
  '',
  '> On 30 Nov 2026, at 22:15, Parley Support <support@parley.example> wrote:',
  '> ',
  '> Please restart the router.',
  '',
]);

/** zh-CN from a Chinese webmail: base64 text part, GBK-free UTF-8, Chinese attribution line. */
const ZH_BODY = [
  '好的，我已经重启了路由器，现在可以上网了。',
  '谢谢！',
  '',
  '在 2026年11月30日 22:15，Parley 客服 <support@parley.example> 写道：',
  '> 请重启路由器。',
  '',
].join('\r\n');

export const ZH_CN_BASE64 = crlf([
  'From: =?UTF-8?B?546L5bCP5piO?= <wang@example.cn>',
  `To: ${TO}`,
  'Subject: =?UTF-8?B?5Zue5aSNOiDmgqjnmoTlt6XljZU=?=',
  'Message-ID: <20261130221500.12345@example.cn>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=UTF-8',
  'Content-Transfer-Encoding: base64',
  '',
  ...(Buffer.from(ZH_BODY, 'utf8')
    .toString('base64')
    .match(/.{1,76}/g) ?? []),
  '',
]);

/** The same reply in quoted-printable, from Gmail's zh-CN interface ("于 ... 写道："). */
export const ZH_CN_QUOTED_PRINTABLE = crlf([
  'From: Wang <wang@gmail.example>',
  `Cc: ${TO}`,
  'To: support@parley.example',
  'Subject: Re: ticket',
  'Message-ID: <CAB1234@mail.gmail.com>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset="UTF-8"',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '=E5=A5=BD=E7=9A=84=EF=BC=8C=E8=B0=A2=E8=B0=A2=E3=80=82',
  '',
  'Parley Support <support@parley.example> =E4=BA=8E2026=E5=B9=B411=E6=9C=8830=',
  '=E6=97=A5=E5=91=A8=E4=B8=80 22:15=E5=86=99=E9=81=93=EF=BC=9A',
  '',
  '> =E8=AF=B7=E9=87=8D=E5=90=AF=E3=80=82',
  '',
]);
