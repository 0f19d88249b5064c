import type { Conversation } from '../../../functions/domain/conversation';
import type { MessageDraft } from '../../../functions/domain/message';
import type { Note } from '../../../functions/domain/note';
import type { AppendResult } from '../../../functions/ports/conversation-store';
import type { NotePage, NoteStore } from '../../../functions/ports/note-store';

/** Internal notes in memory: one sequence per conversation, idempotent by (writer, clientMsgId). */
export class FakeNoteStore implements NoteStore {
  readonly notes = new Map<string, Note[]>();

  async append(conversation: Conversation, draft: MessageDraft, now: string): Promise<AppendResult> {
    const held = this.notes.get(conversation.id) ?? [];
    this.notes.set(conversation.id, held);
    const earlier = held.find((note) => draft.clientMsgId && note.clientMsgId === draft.clientMsgId && note.sender.id === draft.sender.id);
    if (earlier) return { message: earlier, duplicate: true, resumed: false };
    const seq = held.length + 1;
    const note: Note = {
      conversationId: conversation.id,
      seq,
      messageId: `note-${conversation.id}-${seq}`,
      ...(draft.clientMsgId ? { clientMsgId: draft.clientMsgId } : {}),
      sender: draft.sender,
      text: draft.text,
      ts: now,
    };
    held.push(note);
    return { message: note, duplicate: false, resumed: false };
  }

  async findByClientMsgId(conversationId: string, senderId: string, clientMsgId: string): Promise<Note | undefined> {
    return this.notes.get(conversationId)?.find((note) => note.clientMsgId === clientMsgId && note.sender.id === senderId);
  }

  async list(conversationId: string, afterSeq: number, limit: number): Promise<NotePage> {
    const after = (this.notes.get(conversationId) ?? []).filter((note) => note.seq > afterSeq);
    return { notes: after.slice(0, limit), more: after.length > limit };
  }
}
