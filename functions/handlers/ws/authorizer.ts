import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { assertTokenCurrent } from '../../services/staff-sessions';
import { flushMetrics, inInvocation, logger, setCorrelationId } from '../../shared/observability';
import { toProtocolError } from '../shared/error-mapping';
import { recordServerFault } from '../shared/server-fault';
import { getPorts } from '../../wiring';

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  };
}

/**
 * `$connect` REQUEST authorizer. No token: throw 'Unauthorized' (API Gateway answers 401).
 * A token that does not verify, or a staff token no longer backed by its account and
 * session: Deny (403). Valid: Allow, passing the identity on as context,
 * which API Gateway hands to every later route of the connection. A dependency that fails
 * (Secrets Manager, DynamoDB, ...) is a server fault, not the token's: any other thrown error
 * makes API Gateway answer 500, so clients retry instead of treating their token as bad.
 */
export const handler = (event: APIGatewayRequestAuthorizerEvent, context?: Context): Promise<APIGatewayAuthorizerResult> =>
  inInvocation(context, () => authorize(event));

async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  if (event.requestContext?.requestId) setCorrelationId(event.requestContext.requestId);
  const token = event.queryStringParameters?.token;
  if (!token) throw new Error('Unauthorized');
  try {
    const ports = getPorts();
    const verified = await ports.tokens.verify(token);
    // Staff: the account must still back the token (exists, enabled, same role, not revoked, session live).
    await assertTokenCurrent(ports, verified);
    const { user, expiresAt, issuedAt, source, sessionId, customer } = verified;
    return {
      ...policy(user.id, 'Allow', event.methodArn),
      context: {
        userId: user.id,
        role: user.role,
        name: user.name,
        skills: user.skills.join(','),
        expiresAt,
        issuedAt,
        source,
        ...(sessionId ? { sessionId } : {}),
        // Context values must be strings, numbers or booleans: the attrs travel as JSON.
        ...(customer?.email ? { customerEmail: customer.email } : {}),
        ...(customer?.attrs ? { customerAttrs: JSON.stringify(customer.attrs) } : {}),
      },
    };
  } catch (error) {
    if (toProtocolError(error).serverFault) {
      recordServerFault('authorizer', error, 'Authorizer failed; the connect is answered 500');
      flushMetrics();
      throw new Error('Authorizer dependency failed');
    }
    logger.info('Connection refused', { reason: error instanceof Error ? error.message : String(error) });
    return policy('anonymous', 'Deny', event.methodArn);
  }
}
