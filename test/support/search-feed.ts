import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoConversationStore } from '../../functions/adapters/dynamodb/conversation-store';
import { DynamoSearchIndex } from '../../functions/adapters/dynamodb/search-index';
import { ulidGenerator } from '../../functions/adapters/system/clock';
import type { DomainEvent } from '../../functions/domain/domain-events';
import { SearchSink } from '../../functions/services/search';
import { localDynamoClient } from '../../local/dynamodb/dynalite-server';
import type { LocalStack } from '../../local/stack';

/**
 * Feeds the `search` sink directly, for tests that run without the events queue: reads what
 * the stack stored about a conversation and hands the sink the events the emission points
 * publish for it (started, assigned to its current agent, one message.created per message).
 */
export function searchFeed(stack: LocalStack): (conversationId: string) => Promise<void> {
  const documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const conversations = new DynamoConversationStore(documents, stack.tableName, ulidGenerator());
  const sink = new SearchSink({ search: new DynamoSearchIndex(documents, stack.tableName), conversations });
  return async (conversationId) => {
    const conversation = await conversations.get(conversationId);
    if (!conversation) throw new Error(`No conversation ${conversationId}`);
    const base = { conversationId, skill: conversation.skill, customerId: conversation.customer.id };
    const events: DomainEvent[] = [
      { ...base, type: 'conversation.started', id: `${conversationId}:started`, at: conversation.createdAt, status: 'queued' },
    ];
    if (conversation.agent) {
      events.push({
        ...base,
        type: 'conversation.assigned',
        id: `${conversationId}:assigned:${conversation.agent.id}`,
        at: conversation.assignedAt ?? conversation.updatedAt,
        agent: conversation.agent,
        waitMs: 0,
        first: true,
      });
    }
    const { messages } = await conversations.listMessages(conversationId, 0, 1000);
    for (const message of messages) {
      const role = message.sender.role;
      events.push({
        ...base,
        type: 'message.created',
        id: `${conversationId}:message:${message.seq}`,
        at: message.ts,
        seq: message.seq,
        from: { id: message.sender.id, name: message.sender.name, role },
        text: message.text,
      });
    }
    for (const event of events) await sink.handle(event);
  };
}
