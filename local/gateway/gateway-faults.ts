/**
 * Fault hooks the local stack can plug into the WebSocket gateway (local/faults implements
 * them). Without hooks the gateway behaves like API Gateway on a good day.
 */
export interface GatewayFaultHooks {
  /** Before a management-API post is delivered: may wait, then deliver, or fail as gone or throttled. */
  beforePost(connectionId: string): Promise<'deliver' | 'gone' | 'limit-exceeded'>;
  /** True to skip a closed connection's $disconnect, as when API Gateway never sends it. */
  dropDisconnect(connectionId: string): boolean;
}
