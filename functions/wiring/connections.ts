import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { ManagementApiNotifier } from '../adapters/apigw/connection-notifier';
import { captureClient } from '../shared/tracing';
import { cachedMiddleware, type PortFactories, transport, type WiringContext } from './context';
import type { GroupPortName } from './groups';

export const managementApiClient = (ctx: WiringContext): ApiGatewayManagementApiClient =>
  ctx.memo('managementApi', () =>
    captureClient(
      new ApiGatewayManagementApiClient({
        region: ctx.config.AWS_REGION,
        ...cachedMiddleware,
        ...transport(ctx),
        endpoint: ctx.config.WS_CALLBACK_URL,
      }),
    ),
  );

export const connectionPorts: PortFactories<GroupPortName<'connections'>> = {
  notifier: (ctx) => new ManagementApiNotifier(managementApiClient(ctx)),
};
