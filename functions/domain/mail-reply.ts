import { REPLY_MARKER, replyTokenOf } from './mail';

/**
 * The new part of an emailed reply: everything above the quoted history. Mail clients mark
 * the history differently, so the first of these lines ends the new text:
 *  - Parley's own reply marker (kept by clients that quote it);
 *  - an attribution line, possibly wrapped over two lines: "On <date>, <name> wrote:" (Gmail,
 *    Apple Mail, Thunderbird), "<name> 于<date>写道：" / "在 <date>，<name> 写道：" (zh-CN);
 *  - Outlook's separators: "-----Original Message-----", a line of underscores, or a
 *    "From:" line followed by "Sent:"/"Date:" (and their zh-CN labels);
 *  - the signature delimiter "-- ".
 * Lines quoted with `>` above that point (inline quoting) are dropped too.
 */
const ATTRIBUTION_EN = /^\s*On\s.+\swrote:\s*$/is;
const ATTRIBUTION_ZH = /写道\s*[：:]\s*$/s;
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(Original Message|原始邮件)\s*-{2,}\s*$/i;
const UNDERSCORE_RULE = /^\s*_{10,}\s*$/;
const HEADER_FROM = /^\s*(\*?From\*?|发件人)\s*[:：]/i;
const HEADER_SENT = /^\s*(\*?Sent\*?|\*?Date\*?|发送时间|日期|时间)\s*[:：]/i;
const SIGNATURE = /^-- $/;

function isHistoryStart(lines: readonly string[], index: number): boolean {
  const line = lines[index] ?? '';
  const next = lines[index + 1] ?? '';
  if (line.includes(REPLY_MARKER)) return true;
  if (ORIGINAL_MESSAGE.test(line) || UNDERSCORE_RULE.test(line) || SIGNATURE.test(line)) return true;
  if (HEADER_FROM.test(line) && lines.slice(index + 1, index + 4).some((following) => HEADER_SENT.test(following))) return true;
  const unquoted = line.replace(/^>\s?/, '');
  if (ATTRIBUTION_EN.test(unquoted) || ATTRIBUTION_ZH.test(unquoted)) return true;
  // Gmail wraps a long attribution: "On Mon, ..., Parley <\nreply+...@example.com> wrote:".
  const joined = `${unquoted} ${next}`;
  const wrapped = /<[^>]*$/.test(unquoted);
  if (wrapped && /^\s*On\s/i.test(unquoted) && ATTRIBUTION_EN.test(joined)) return true;
  // The same in zh-CN: the address's "<" opens on this line and the "写道：" ends the next.
  return wrapped && ATTRIBUTION_ZH.test(next.replace(/^>\s?/, ''));
}

export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (isHistoryStart(lines, index)) break;
    const line = lines[index] as string;
    if (/^\s*>/.test(line)) continue;
    kept.push(line.trimEnd());
  }
  while (kept.length > 0 && kept.at(-1)!.trim() === '') kept.pop();
  while (kept.length > 0 && kept[0]!.trim() === '') kept.shift();
  return kept.join('\n');
}

/** The reply token from the first recipient address of the form reply+<token>@<domain>. */
export function findReplyToken(recipients: readonly string[], domain?: string): string | undefined {
  for (const recipient of recipients) {
    const token = replyTokenOf(recipient, domain);
    if (token !== undefined) return token;
  }
  return undefined;
}
