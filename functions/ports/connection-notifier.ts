import type { ServerFrame } from '../protocol/server-frames';

export type DeliveryResult = 'sent' | 'gone';

/** Pushes frames to WebSocket connections (the API Gateway management API). */
export interface ConnectionNotifier {
  send(connectionId: string, frame: ServerFrame): Promise<DeliveryResult>;
  disconnect(connectionId: string): Promise<void>;
}
