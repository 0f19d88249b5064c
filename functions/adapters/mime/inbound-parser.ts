import { simpleParser, type AddressObject } from 'mailparser';

/** What the inbound handler needs from a raw message, whatever its MIME encoding. */
export interface InboundMessage {
  readonly messageId?: string;
  readonly from?: { readonly address: string; readonly name?: string };
  /** Every address it was sent to: To, Cc, Delivered-To and X-Original-To. */
  readonly recipients: string[];
  readonly subject?: string;
  /** The plain text (mailparser derives it from the HTML when there is no text part). */
  readonly text: string;
  readonly date?: string;
}

const addressesOf = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((object) => object.value)
    .flatMap((entry) => [entry.address, ...(entry.group ?? []).map((member) => member.address)])
    .filter((address): address is string => typeof address === 'string' && address.length > 0);

function headerAddresses(value: unknown): string[] {
  if (typeof value === 'string') return [value.replace(/^.*<([^>]+)>.*$/, '$1').trim()];
  if (typeof value === 'object' && value !== null && 'value' in value) return addressesOf(value as AddressObject);
  return [];
}

/** Parses raw RFC 5322 (any charset, base64 or quoted-printable) with mailparser; attachments are ignored. */
export async function parseInboundMail(raw: Buffer): Promise<InboundMessage> {
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const from = addressesOf(parsed.from)[0];
  const fromName = (Array.isArray(parsed.from) ? parsed.from[0] : parsed.from)?.value[0]?.name;
  const recipients = [
    ...addressesOf(parsed.to),
    ...addressesOf(parsed.cc),
    ...headerAddresses(parsed.headers.get('delivered-to')),
    ...headerAddresses(parsed.headers.get('x-original-to')),
  ];
  return {
    ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
    ...(from ? { from: { address: from.toLowerCase(), ...(fromName ? { name: fromName } : {}) } } : {}),
    recipients,
    ...(parsed.subject ? { subject: parsed.subject } : {}),
    text: parsed.text ?? '',
    ...(parsed.date ? { date: parsed.date.toISOString() } : {}),
  };
}
