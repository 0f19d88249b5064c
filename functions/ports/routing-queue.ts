/** Work for the router, carried by SQS. Every trigger is safe to deliver twice or out of order. */
export type RoutingTrigger =
  | { readonly type: 'conversation.queued'; readonly conversationId: string }
  | { readonly type: 'agent.available'; readonly agentId: string }
  /** The agent went offline or its presence expired: its conversations go back to the queue. */
  | { readonly type: 'agent.lost'; readonly agentId: string }
  /**
   * The agent's last connection ended at `disconnectedAt` (ISO); published with a delay of the
   * leave grace: unless it reconnected since, an agent still online goes away.
   */
  | { readonly type: 'agent.left'; readonly agentId: string; readonly disconnectedAt: string };

export interface PublishOptions {
  /** Deliver no sooner than this (SQS DelaySeconds, 0-900). */
  readonly delaySeconds?: number;
}

export interface RoutingQueue {
  publish(trigger: RoutingTrigger, options?: PublishOptions): Promise<void>;
}
