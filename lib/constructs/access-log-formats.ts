import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';

/** One JSON object per WebSocket event, so Logs Insights can query fields directly. */
export const WEBSOCKET_ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    connectionId: '$context.connectionId',
    routeKey: '$context.routeKey',
    eventType: '$context.eventType',
    status: '$context.status',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    error: '$context.error.message',
    integrationError: '$context.integration.error',
    authorizerError: '$context.authorizer.error',
  }),
);

/** One JSON object per HTTP request. */
export const HTTP_ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latency: '$context.responseLatency',
    error: '$context.error.message',
    integrationError: '$context.integrationErrorMessage',
  }),
);
