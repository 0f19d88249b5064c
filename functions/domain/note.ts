import { ForbiddenError } from './errors';
import type { Conversation } from './conversation';
import { canView } from './conversation';
import type { User } from './identity';
import type { Message } from './message';

/**
 * An internal note: staff-only words in a conversation. It has the shape of a message, but its
 * `seq` numbers the conversation's notes (1, 2, 3...), a sequence apart from the messages', so
 * a customer's message sequence never has a hole where a note sits.
 */
export type Note = Message;

/** Who may write a note: the assigned agent, supervisors and admins (never a customer). */
export function canWriteNote(user: User, conversation: Conversation): boolean {
  if (user.role === 'supervisor' || user.role === 'admin') return true;
  return user.role === 'agent' && conversation.agent?.id === user.id;
}

/** Who may read the notes: staff who may view the conversation (never a customer, not even its own). */
export function canReadNotes(user: User, conversation: Conversation): boolean {
  return user.role !== 'customer' && canView(user, conversation);
}

export function assertCanWriteNote(user: User, conversation: Conversation): void {
  if (!canWriteNote(user, conversation)) {
    throw new ForbiddenError(
      user.role === 'customer'
        ? 'Internal notes are for staff only'
        : 'Only the assigned agent, supervisors and admins can write notes here',
    );
  }
}

export function assertCanReadNotes(user: User, conversation: Conversation): void {
  if (!canReadNotes(user, conversation)) {
    throw new ForbiddenError(user.role === 'customer' ? 'Internal notes are for staff only' : 'You are not on this conversation');
  }
}

/** The staff who get a note live: the assigned agent (the writer's other connections get it too). */
export function noteRecipientIds(conversation: Conversation, writerId: string): string[] {
  return [...new Set([conversation.agent?.id, writerId])].filter((id): id is string => id !== undefined);
}
