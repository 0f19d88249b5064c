/** Why a routing trigger was parked without retries: it can never succeed as sent. */
export interface UnroutableTrigger {
  /** The message exactly as received, so a redrive sends it back unchanged. */
  readonly body: string;
  /** e.g. `MalformedJson`, `UnknownTriggerType`, `InvalidTrigger`. */
  readonly errorClass: string;
  readonly errorMessage: string;
  /** The queue it came from (the redrive target): its ARN as the event source names it. */
  readonly sourceQueueArn: string;
  /** When SQS first handed it out (ISO). */
  readonly firstReceivedAt: string;
  readonly messageId: string;
}

/** Where the router parks triggers that would fail on every retry (the routing DLQ). */
export interface DeadLetterQueue {
  park(trigger: UnroutableTrigger): Promise<void>;
}
