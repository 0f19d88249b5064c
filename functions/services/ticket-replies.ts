import type { Ports } from './context';

/** A customer's emailed reply, parsed by the inbound-mail handler. */
export interface InboundTicketReply {
  /** The token from the `reply+<token>@` address it was sent to. */
  readonly replyToken: string;
  readonly fromEmail: string;
  readonly fromName?: string;
  /** The new text of the reply (quoted history stripped). */
  readonly text: string;
  /** The inbound mail's Message-ID: a redelivered mail is stored once. */
  readonly messageId: string;
  readonly receivedAt: string;
}

export type InboundReplyOutcome = 'stored' | 'duplicate' | 'unknown-token';

/** Placeholder until tickets exist (issue 9 part 3 replaces it). */
export async function receiveTicketReply(_ports: Ports, _reply: InboundTicketReply): Promise<InboundReplyOutcome> {
  return 'unknown-token';
}
