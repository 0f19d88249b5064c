import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { policyAllows } from './authorizer-policy';
import { describeError, invokeLambda, type LambdaHandler } from './lambda-handler';
import type { AuthorizerContextValue, WebSocketAuthorizerEvent, WebSocketAuthorizerValues } from './websocket-events';

export type AuthorizerHandler = LambdaHandler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>;

export type AuthorizationOutcome =
  | { readonly kind: 'allowed'; readonly authorizer: WebSocketAuthorizerValues; readonly ms: number }
  | { readonly kind: 'refused'; readonly status: 401 | 403 | 500; readonly detail: string; readonly ms: number };

const isContextValue = (value: unknown): value is AuthorizerContextValue =>
  value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** Lambda reports a thrown `Error('Unauthorized')` (or a thrown string) as errorMessage "Unauthorized". */
const isUnauthorizedSignal = (error: unknown): boolean =>
  (error instanceof Error && error.message === 'Unauthorized') || error === 'Unauthorized';

/**
 * Runs the REQUEST authorizer and judges its answer as API Gateway does: `Unauthorized` -> 401,
 * any other failure or a malformed result -> 500, a policy without Allow on the method -> 403.
 */
export async function authorizeConnect(handler: AuthorizerHandler, event: WebSocketAuthorizerEvent): Promise<AuthorizationOutcome> {
  // The WebSocket event lacks the REST-only fields @types/aws-lambda declares; the handler gets what AWS sends.
  const outcome = await invokeLambda(handler, event as unknown as APIGatewayRequestAuthorizerEvent, 'authorizer');
  const { ms } = outcome;
  if (!outcome.ok) {
    return isUnauthorizedSignal(outcome.error)
      ? { kind: 'refused', status: 401, detail: 'authorizer answered Unauthorized', ms }
      : { kind: 'refused', status: 500, detail: `authorizer threw ${describeError(outcome.error)}`, ms };
  }
  const result: unknown = outcome.value;
  if (typeof result !== 'object' || result === null) {
    return { kind: 'refused', status: 500, detail: 'authorizer returned no result object', ms };
  }
  const { principalId, policyDocument, context } = result as Partial<APIGatewayAuthorizerResult>;
  if (typeof principalId !== 'string' || typeof policyDocument !== 'object' || policyDocument === null) {
    return { kind: 'refused', status: 500, detail: 'authorizer result lacks principalId or policyDocument', ms };
  }
  const contextEntries = Object.entries(context ?? {}).filter(([, value]) => value !== undefined);
  const invalidKey = contextEntries.find(([, value]) => !isContextValue(value))?.[0];
  if (invalidKey !== undefined) {
    return { kind: 'refused', status: 500, detail: `authorizer context "${invalidKey}" is not a string, number or boolean`, ms };
  }
  if (!policyAllows(policyDocument, 'execute-api:Invoke', event.methodArn)) {
    return { kind: 'refused', status: 403, detail: 'policy does not allow execute-api:Invoke on the method', ms };
  }
  const authorizer: WebSocketAuthorizerValues = {
    ...(Object.fromEntries(contextEntries) as Record<string, AuthorizerContextValue>),
    principalId,
    integrationLatency: ms,
  };
  return { kind: 'allowed', authorizer, ms };
}
