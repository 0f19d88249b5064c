/**
 * Parley's single DynamoDB table. The CDK storage construct and the local stack's table
 * bootstrap both read this, so AWS and dynalite always hold the same shape.
 *
 * Item kinds (pk / sk):
 *   USER#<userId>   / CONN#<connectionId>        live connection (TTL on expiresAt)
 *   USER#<userId>   / OPEN                       pointer to the customer's open conversation
 *   CONV#<id>       / META                       conversation summary and routing state
 *   CONV#<id>       / MSG#<seq, 12 digits>       one message
 *   CONV#<id>       / CMID#<senderId>#<cmid>     idempotency claim for a client message id
 *   CONV#<id>       / READ#<userId>              the user's read cursor
 *   NOTES#<id>      / NOTE#<seq, 12 digits>      one internal note (staff only; its own seq space)
 *   NOTES#<id>      / CMID#<senderId>#<cmid>     idempotency claim for a note's client message id
 *   NOTES#<id>      / HEAD                       lastSeq of the conversation's notes
 *   AGENT#<id>      / PROFILE                    agent profile (skills, capacity, revocation cutoff)
 *   AGENT#<id>      / STATUS                     the status the agent last chose (Redis is rebuilt from it)
 *   CREDENTIAL#<id> / PASSWORD                   the agent's password hash (read by sign-in only)
 *   EMAIL#<email>   / LOGIN                      email to agent id lookup
 *   ROSTER          / AGENT#<id>                 agent listing entry (the profile without the hash)
 *   SESSION#<id>    / SESSION                    staff session: refresh token hash, revocation (TTL on expiresAt)
 *   MAILADDR#<email> / STATUS                    an address SES reported bounced or complained (never mailed again)
 *   MAILSUPPRESSIONS / <email>                   listing entry of the same (GET /v1/mail/suppressions)
 *   MAILTOKEN#<tok> / TICKET                     a ticket's reply token -> its conversation id (ticket-store.ts)
 *   USER#<userId>   / TICKETREQ#<clientMsgId>    the offline form's idempotency pointer (ticket-store.ts)
 *   SKILL#<skill>   / HOURS                      the skill's business hours (`_default`: the deployment default)
 *   SKILL#<skill>   / ANNOUNCED                  the availability last announced to its waiting customers
 *   SKILL#<skill>   / AUTOREPLIES                auto-replies of a skill or `_default` (welcome, bot name, FAQ rules)
 *   CANNED          / RESPONSE#<id>              a canned response (shortcut, title, text, skill or none: global)
 *   CANNED          / SHORTCUT#<scope>#<short>   who holds a shortcut in a skill or `_global` (unique per scope)
 *   SKILLS          / SKILL#<skill>              a configured skill and its display names (GET /v1/skills lists the partition)
 *   WEBHOOKS        / ENDPOINT#<id>              a webhook endpoint: URL, event types, enabled, secret (docs/webhooks.md)
 *   WEBHOOKLOG#<id> / <at>#<deliveryId>#<attempt> one delivery attempt in the endpoint's log (TTL on expiresAt)
 *   WHEVENT#<eventId> / FANOUT                   the webhooks sink queued this event's deliveries (TTL on expiresAt)
 *   SEARCH#<scope>#<term> / <at>#<convId>#<seq> a search posting (docs/search.md; scope `all` or `a:<agentId>`)
 *   SEARCHCONV#<id> / PARTICIPANTS               agents who took part in a conversation, as the search index knows them
 *   AUDIT#<yyyy-mm> / <at>#<id>                  a data-rights action: who exported or erased which customer, when (docs/data-rights.md)
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
export const TTL_ATTRIBUTE = 'expiresAt';

export interface IndexSchema {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/** Sparse indexes: only conversation META items carry these attributes. */
export const INDEXES = {
  /** A customer's conversations, newest last. */
  byCustomer: { indexName: 'byCustomer', partitionKey: 'customerKey', sortKey: 'customerSort' },
  /** An agent's conversations, by assignment time. */
  byAgent: { indexName: 'byAgent', partitionKey: 'agentKey', sortKey: 'agentSort' },
  /** Waiting conversations per skill, longest-waiting first; removed on assignment. */
  queue: { indexName: 'queue', partitionKey: 'queueKey', sortKey: 'queueSort' },
  /**
   * Every conversation by status, for supervisors (no Scan on a request path). Tickets are
   * listed per skill and state instead: `ticket#<skill>#<state>`, newest activity first.
   */
  byStatus: { indexName: 'byStatus', partitionKey: 'statusKey', sortKey: 'statusSort' },
} as const satisfies Record<string, IndexSchema>;

export type IndexProjection = { readonly type: 'KEYS_ONLY' } | { readonly type: 'INCLUDE'; readonly attributes: readonly string[] };

/**
 * What each index holds besides the keys (issue 14). None of them holds what a message changes
 * on the conversation item (`lastSeq`, `updatedAt`, `lastCustomerSeq/At`, `lastAgentSeq/At`),
 * so a message writes no index entry. Queries on the KEYS_ONLY indexes read the items they
 * list by BatchGetItem (conversation-store.ts `readConversationItems`): fresh and complete.
 * - `queue`: what the router and the queue's readers use of a waiting conversation, so they
 *   list it with one Query; a listed entry's lastSeq and updatedAt are not in it.
 * - `byAgent`: `status`, the filter of an agent's assigned conversations (its closed ones stay
 *   in the index and are left out before anything is read).
 */
export const INDEX_PROJECTIONS: Record<keyof typeof INDEXES, IndexProjection> = {
  byCustomer: { type: 'KEYS_ONLY' },
  byAgent: { type: 'INCLUDE', attributes: ['status'] },
  queue: {
    type: 'INCLUDE',
    attributes: [
      'id',
      'status',
      'customerId',
      'customerName',
      'customerEmail',
      'skill',
      'createdAt',
      'queuedAt',
      'firstAssignedAt',
      'epoch',
      'locale',
      'visitor',
      'customerAttrs',
      'noAgentNoticeAt',
      'offerWaitAt',
      'offerClosedAt',
      'offerNoAgentAt',
    ],
  },
  byStatus: { type: 'KEYS_ONLY' },
};

/** CreateTable input for dynalite and DynamoDB Local (on AWS the CDK construct creates it). */
export function createTableInput(tableName: string) {
  const indexes = Object.values(INDEXES);
  const attributeNames = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    AttributeDefinitions: attributeNames.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: projectionOf(INDEX_PROJECTIONS[index.indexName]),
    })),
  };
}

function projectionOf(projection: IndexProjection) {
  return projection.type === 'KEYS_ONLY'
    ? { ProjectionType: 'KEYS_ONLY' as const }
    : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...projection.attributes] };
}
