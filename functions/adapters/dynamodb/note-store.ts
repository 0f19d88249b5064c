import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Conversation } from '../../domain/conversation';
import type { MessageDraft } from '../../domain/message';
import type { Note } from '../../domain/note';
import type { IdGenerator } from '../../ports/clock';
import type { AppendResult } from '../../ports/conversation-store';
import type { NotePage, NoteStore } from '../../ports/note-store';
import { MessageLog, NOTE_SPACE } from './message-log';

/** Notes in their own partition (`NOTES#<conversationId>`), placed like messages (message-log.ts). */
export class DynamoNoteStore implements NoteStore {
  private readonly log: MessageLog;

  constructor(db: DynamoDBDocumentClient, tableName: string, ids: IdGenerator) {
    this.log = new MessageLog(db, tableName, ids, NOTE_SPACE);
  }

  append(conversation: Conversation, draft: MessageDraft, now: string): Promise<AppendResult> {
    return this.log.append(conversation, draft, now);
  }

  findByClientMsgId(conversationId: string, senderId: string, clientMsgId: string): Promise<Note | undefined> {
    return this.log.findByClientMsgId(conversationId, senderId, clientMsgId);
  }

  async list(conversationId: string, afterSeq: number, limit: number): Promise<NotePage> {
    const page = await this.log.list(conversationId, afterSeq, limit);
    return { notes: page.messages, more: page.more };
  }
}
