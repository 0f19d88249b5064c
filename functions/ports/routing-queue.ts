/** Work for the router, carried by SQS. Every trigger is safe to deliver twice or out of order. */
export type RoutingTrigger =
  /**
   * A conversation joined (or is back in) a queue. `skill` is the queue it joined, carried so
   * the router drains it without reading the conversation first (a trigger without it, e.g.
   * one published before the field existed, makes the router read the conversation).
   */
  | { readonly type: 'conversation.queued'; readonly conversationId: string; readonly skill?: string }
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
  /**
   * Several triggers (at most 10) in one request: they usually reach the router in one batch,
   * so they share one drain instead of racing each other.
   */
  publishAll(triggers: readonly RoutingTrigger[]): Promise<void>;
}
