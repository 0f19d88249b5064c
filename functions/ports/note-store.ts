import type { Conversation } from '../domain/conversation';
import type { MessageDraft } from '../domain/message';
import type { Note } from '../domain/note';
import type { AppendResult } from './conversation-store';

export interface NotePage {
  readonly notes: Note[];
  /** True when more notes follow the page. */
  readonly more: boolean;
}

/**
 * A conversation's internal notes: numbered 1, 2, 3... in a sequence of their own (never the
 * messages'), idempotent by (writer, clientMsgId) like messages. Single-item conditional writes.
 */
export interface NoteStore {
  append(conversation: Conversation, draft: MessageDraft, now: string): Promise<AppendResult>;
  /** The note a writer stored under a clientMsgId, if it was stored. */
  findByClientMsgId(conversationId: string, senderId: string, clientMsgId: string): Promise<Note | undefined>;
  /** Notes with seq > afterSeq, in seq order. */
  list(conversationId: string, afterSeq: number, limit: number): Promise<NotePage>;
}
