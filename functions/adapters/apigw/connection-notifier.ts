import {
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionNotifier, DeliveryResult } from '../../ports/connection-notifier';
import { DependencyError } from '../../ports/errors';
import type { ServerFrame } from '../../protocol/server-frames';

export class ConnectionsApiError extends DependencyError {
  override readonly name = 'ConnectionsApiError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('apigateway-management', message, options);
  }
}

const encoder = new TextEncoder();

/** Pushes frames through the API Gateway management API (@connections). */
export class ManagementApiNotifier implements ConnectionNotifier {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async send(connectionId: string, frame: ServerFrame): Promise<DeliveryResult> {
    try {
      await this.client.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: encoder.encode(JSON.stringify(frame)) }),
      );
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException) return 'gone';
      throw new ConnectionsApiError(`Could not post ${frame.type} to ${connectionId}`, { cause: error });
    }
  }

  async disconnect(connectionId: string): Promise<void> {
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      if (error instanceof GoneException) return;
      throw new ConnectionsApiError(`Could not close ${connectionId}`, { cause: error });
    }
  }
}
