/**
 * Compile-time check that the client library's hand-kept protocol (clients/parley-client/src/protocol.ts)
 * agrees with the server's (functions/protocol). `npm run typecheck` fails on any drift.
 */
import type * as z from '../../functions/shared/zod';
import type * as client from '../../clients/parley-client/src/index';
import type * as serverSchemas from '../../functions/protocol/client-frames';
import type { ServerFrame as ServerServerFrame } from '../../functions/protocol/server-frames';
import type { ErrorCode as ServerErrorCode } from '../../functions/domain/errors';
import type { SenderRole as ServerRole } from '../../functions/domain/identity';

// ---- helpers --------------------------------------------------------------------------------

/** Each assignable to the other (readonly, and `?: T` vs `?: T | undefined`, make no difference). */
export type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Optional fields made required at every depth, so a field only one side declares is caught too. */
type DeepRequired<T> = T extends readonly (infer U)[] ? DeepRequired<U>[] : T extends object ? { [K in keyof T]-?: DeepRequired<T[K]> } : T;

/** The same frame: mutually assignable, with the same fields (optional or not) at every depth. */
export type Agree<A, B> = MutuallyAssignable<A, B> extends true ? MutuallyAssignable<DeepRequired<A>, DeepRequired<B>> : false;

export type Assert<T extends true> = T;

type Narrow<T, To> = string extends T ? To : T;

/** Fields every server frame has now that the client may not rely on: `session.recheckSeconds` came with issue 14. */
type OptionalOnClient = 'name' | 'recheckSeconds';

/**
 * A server frame type as the client declares it on purpose: display names optional (the client
 * falls back to ids, and apps build name-less senders, e.g. test/unit/web/transcript.test.ts),
 * extensions a client must also do without optional (OptionalOnClient: older servers omit them), and
 * the fields the server types as plain `string` narrowed to their documented values (PROTOCOL.md
 * sections 1 and 3): `role` to the server's SenderRole, the `status` echo to the agent statuses.
 */
type AsClientDeclares<T> = T extends readonly (infer U)[]
  ? AsClientDeclares<U>[]
  : T extends object
    ? {
        [K in keyof T as K extends OptionalOnClient ? never : K]: K extends 'role'
          ? Narrow<T[K], ServerRole>
          : K extends 'status'
            ? Narrow<T[K], ServerAction<'status'>['status']>
            : AsClientDeclares<T[K]>;
      } & { [K in keyof T as K extends OptionalOnClient ? K : never]?: T[K] }
    : T;

// ---- client frames: exactly what the server's strict schemas accept ---------------------------

/** Every client frame the server parses: the input side of each exported schema. */
type ServerAccepts = {
  [K in keyof typeof serverSchemas]: (typeof serverSchemas)[K] extends z.ZodMiniType ? z.input<(typeof serverSchemas)[K]> : never;
}[keyof typeof serverSchemas];
type ServerAction<A extends ServerAccepts['action']> = Extract<ServerAccepts, { action: A }>;
type ClientAction<A extends client.ClientFrame['action']> = Extract<client.ClientFrame, { action: A }>;

type ClientFramesAgree = [
  Assert<MutuallyAssignable<client.ClientFrame['action'], ServerAccepts['action']>>,
  Assert<Agree<ClientAction<'sync'>, ServerAction<'sync'>>>,
  Assert<Agree<ClientAction<'heartbeat'>, ServerAction<'heartbeat'>>>,
  Assert<Agree<ClientAction<'start'>, ServerAction<'start'>>>,
  Assert<Agree<ClientAction<'message'>, ServerAction<'message'>>>,
  Assert<Agree<ClientAction<'typing'>, ServerAction<'typing'>>>,
  Assert<Agree<ClientAction<'read'>, ServerAction<'read'>>>,
  Assert<Agree<ClientAction<'close'>, ServerAction<'close'>>>,
  // The refinement (exactly one of toAgentId and toSkill) is not in the type; the client's transfer() signature enforces it.
  Assert<Agree<ClientAction<'transfer'>, ServerAction<'transfer'>>>,
  Assert<Agree<ClientAction<'status'>, ServerAction<'status'>>>,
  Assert<Agree<ClientAction<'rate'>, ServerAction<'rate'>>>,
  Assert<Agree<ClientAction<'note'>, ServerAction<'note'>>>,
  Assert<Agree<client.AgentStatus, ServerAction<'status'>['status']>>,
];

// ---- server frames ------------------------------------------------------------------------------

type ServerSends<T extends ServerServerFrame['type']> = AsClientDeclares<Extract<ServerServerFrame, { type: T }>>;
type ClientReads<T extends client.ServerFrame['type']> = Extract<client.ServerFrame, { type: T }>;

type ServerFramesAgree = [
  Assert<MutuallyAssignable<client.ServerFrame['type'], ServerServerFrame['type']>>,
  Assert<Agree<ClientReads<'session'>, ServerSends<'session'>>>,
  Assert<Agree<ClientReads<'synced'>, ServerSends<'synced'>>>,
  Assert<Agree<ClientReads<'pong'>, ServerSends<'pong'>>>,
  Assert<Agree<ClientReads<'ack'>, ServerSends<'ack'>>>,
  Assert<Agree<ClientReads<'message'>, ServerSends<'message'>>>,
  Assert<Agree<ClientReads<'messages'>, ServerSends<'messages'>>>,
  Assert<Agree<ClientReads<'note'>, ServerSends<'note'>>>,
  Assert<Agree<ClientReads<'conversation'>, ServerSends<'conversation'>>>,
  Assert<Agree<ClientReads<'queued'>, ServerSends<'queued'>>>,
  Assert<Agree<ClientReads<'assigned'>, ServerSends<'assigned'>>>,
  Assert<Agree<ClientReads<'transferred'>, ServerSends<'transferred'>>>,
  Assert<Agree<ClientReads<'typing'>, ServerSends<'typing'>>>,
  Assert<Agree<ClientReads<'read'>, ServerSends<'read'>>>,
  Assert<Agree<ClientReads<'closed'>, ServerSends<'closed'>>>,
  Assert<Agree<ClientReads<'status'>, ServerSends<'status'>>>,
  Assert<Agree<ClientReads<'rated'>, ServerSends<'rated'>>>,
  Assert<Agree<ClientReads<'error'>, ServerSends<'error'>>>,
  Assert<Agree<client.ErrorCode, ServerErrorCode>>,
  Assert<Agree<client.Role, ServerRole>>,
];

export type ProtocolAgreement = [ClientFramesAgree, ServerFramesAgree];
