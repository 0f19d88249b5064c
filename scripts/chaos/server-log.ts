import { getJson } from '../../local/tools/raw-client';
import type { StoredMessage } from './checker';
import { StallError } from './stall-error';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A conversation's whole stored log, read page by page as a supervisor over the HTTP API (so
 * the same for the local stack and an external one). A page that fails is asked again until
 * nothing has worked for `stallMs`.
 */
export async function readLog(httpUrl: string, token: string, conversationId: string, stallMs: number): Promise<StoredMessage[]> {
  const messages: StoredMessage[] = [];
  let lastSuccess = Date.now();
  for (let more = true; more; ) {
    const after = messages.at(-1)?.seq ?? 0;
    const page = await getJson(
      `${httpUrl}/v1/conversations/${encodeURIComponent(conversationId)}/messages?after=${after}&limit=200`,
      token,
    ).catch(() => undefined);
    if (page?.status !== 200) {
      if (Date.now() - lastSuccess > stallMs) throw new StallError(`reading ${conversationId} answered ${page?.status ?? 'nothing'}`);
      await sleep(500);
      continue;
    }
    lastSuccess = Date.now();
    for (const message of page.body.messages as { seq: number; messageId: string; sender: { id: string }; clientMsgId?: string }[]) {
      messages.push({
        seq: message.seq,
        messageId: message.messageId,
        senderId: message.sender.id,
        ...(message.clientMsgId ? { clientMsgId: message.clientMsgId } : {}),
      });
    }
    more = page.body.more === true;
  }
  return messages;
}
