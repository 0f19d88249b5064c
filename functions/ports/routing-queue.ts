/** Work for the router, carried by SQS. Every trigger is safe to deliver twice or out of order. */
export type RoutingTrigger =
  | { readonly type: 'conversation.queued'; readonly conversationId: string }
  | { readonly type: 'agent.available'; readonly agentId: string };

export interface RoutingQueue {
  publish(trigger: RoutingTrigger): Promise<void>;
}
