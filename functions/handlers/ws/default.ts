import type { Context } from 'aws-lambda';
import { BadRequestError, DomainError } from '../../domain/errors';
import { flushMetrics, inInvocation } from '../../shared/observability';
import { parseJsonObject } from '../shared/parse';
import { errorFrame, type WebSocketEvent, type WebSocketResult } from '../shared/websocket';

/** Frames no route matched: not JSON or no action (bad_request), or an unknown action. */
export const handler = (event: WebSocketEvent, context?: Context): Promise<WebSocketResult> =>
  inInvocation(context, async () => {
    let body: Record<string, unknown> | undefined;
    let error: DomainError;
    try {
      body = parseJsonObject(event.isBase64Encoded ? null : event.body, 'The frame');
      error =
        typeof body.action === 'string'
          ? new DomainError('unknown_action', `Unknown action ${JSON.stringify(body.action.slice(0, 64))}`)
          : new BadRequestError('The frame needs a string "action"');
    } catch (parseError) {
      error = parseError instanceof DomainError ? parseError : new BadRequestError('The frame is not valid JSON');
    }
    flushMetrics();
    return { statusCode: 200, body: JSON.stringify(errorFrame(error, body, '$default')) };
  });
