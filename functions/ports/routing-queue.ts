/** Work for the router, carried by SQS. Every trigger is safe to deliver twice or out of order. */
export type RoutingTrigger =
  | { readonly type: 'conversation.queued'; readonly conversationId: string }
  | { readonly type: 'agent.available'; readonly agentId: string }
  /** The agent went offline or its presence expired: its conversations go back to the queue. */
  | { readonly type: 'agent.lost'; readonly agentId: string };

export interface RoutingQueue {
  publish(trigger: RoutingTrigger): Promise<void>;
}
