import { expect } from 'vitest';
import { MemorySearchIndex } from '../../support/memory-search-index';
import type { Conversation } from '../../../functions/domain/conversation';
import type { UserRef } from '../../../functions/domain/identity';
import { unconfiguredMailer } from '../../../functions/adapters/system/unconfigured-mailer';
import type { ConnectionRecord } from '../../../functions/ports/connection-store';
import type { RoutingTrigger } from '../../../functions/ports/routing-queue';
import type { ServerFrame } from '../../../functions/protocol/server-frames';
import type { Ports, Settings } from '../../../functions/services/context';
import { FakePresence } from './fake-presence';
import { FakeAgentStatusRecord } from './fake-status-record';
import { FakeConversationStore } from './fake-store';
import { FakeNoteStore } from './fake-note-store';

/**
 * One agent, one customer and the routing services over the in-memory ports the routing
 * properties use (same semantics as DynamoDB's conditional writes and the Lua scripts), with
 * a clock the test moves.
 */
const unused = (what: string) => () => {
  throw new Error(`${what} is not used here`);
};
export const AGENT: UserRef = { id: 'agent-1', role: 'agent', name: 'Ada' };
export const CUSTOMER: UserRef = { id: 'guest:1', role: 'customer', name: 'Cy' };

export class Harness {
  readonly store = new FakeConversationStore(async () => undefined);
  readonly presence = new FakePresence('general', async () => undefined);
  readonly statuses = new FakeAgentStatusRecord();
  readonly connections: ConnectionRecord[] = [];
  readonly triggers: RoutingTrigger[] = [];
  readonly frames: Array<{ userId: string; frame: ServerFrame }> = [];
  clockMs = Date.parse('2026-11-30T10:00:00.000Z');
  readonly ports: Ports;

  constructor() {
    const settings: Settings = {
      heartbeatSeconds: 30,
      defaultSkill: 'general',
      connectionTtlSeconds: 7500,
      guestTokenSeconds: 3600,
      agentTokenSeconds: 3600,
      staffAccessTokenSeconds: 900,
      presenceGraceSeconds: 60,
      claimMinAgeSeconds: 120,
      abandonAfterSeconds: 900,
      abandonCloseAfterSeconds: 300,
      agentLeaveGraceSeconds: 15,
      queueTicketOfferSeconds: 600,
      maxConnections: { customer: 10, staff: 20 },
      oidcIdPrefixes: [],
      maxTokenSeconds: { customer: 3600, agent: 3600, supervisor: 3600, admin: 3600 },
    };
    this.ports = {
      conversations: this.store,
      notes: new FakeNoteStore(),
      autoReplies: { get: async () => undefined, put: unused('auto-replies') },
      search: new MemorySearchIndex(),
      cannedResponses: {
        list: unused('canned-responses'),
        get: unused('canned-responses'),
        count: unused('canned-responses'),
        put: unused('canned-responses'),
        delete: unused('canned-responses'),
        claimShortcut: unused('canned-responses'),
        takeOverShortcut: unused('canned-responses'),
        releaseShortcut: unused('canned-responses'),
      },
      tickets: {
        create: unused('tickets'),
        convert: unused('tickets'),
        update: unused('tickets'),
        list: unused('tickets'),
        findByReplyToken: unused('tickets'),
        recordOffer: unused('tickets'),
      },
      connections: {
        put: async (record) => {
          this.connections.push(record);
        },
        remove: async (userId, connectionId) => {
          const at = this.connections.findIndex((c) => c.userId === userId && c.connectionId === connectionId);
          if (at >= 0) this.connections.splice(at, 1);
        },
        listForUser: async (userId) => this.connections.filter((connection) => connection.userId === userId),
      },
      notifier: {
        send: async (connectionId, frame) => {
          this.frames.push({ userId: this.connections.find((c) => c.connectionId === connectionId)?.userId ?? '?', frame });
          return 'sent';
        },
        disconnect: async () => undefined,
      },
      reports: {
        claimEvent: unused('reports'),
        releaseEvent: unused('reports'),
        add: unused('reports'),
        putRating: unused('reports'),
        rowsOf: unused('reports'),
        ratingsOf: unused('reports'),
      },
      audit: { record: unused('audit') },
      erasure: new Proxy({}, { get: () => unused('erasure') }) as never,
      events: { publish: async () => {} },
      routingQueue: {
        publish: async (trigger) => {
          this.triggers.push(trigger);
        },
        publishAll: async (triggers) => {
          for (const trigger of triggers) await this.ports.routingQueue.publish(trigger);
        },
      },
      agents: {
        get: async () => undefined,
        findByEmail: async () => undefined,
        put: unused('agents'),
        list: async () => [],
        remove: unused('agents'),
      },
      credentials: { passwordHash: unused('credentials'), setPasswordHash: unused('credentials'), remove: unused('credentials') },
      sessions: { create: unused('sessions'), get: unused('sessions'), rotate: unused('sessions'), revoke: unused('sessions') },
      opaqueTokens: { generate: unused('opaque tokens'), hash: unused('opaque tokens') },
      presence: this.presence,
      agentStatuses: this.statuses,
      // Every skill counts as configured: routing is what these tests drive.
      skills: { list: async () => [], has: async () => true, put: unused('skills'), remove: unused('skills') },
      hours: {
        get: async () => undefined,
        put: unused('hours'),
        lastAnnounced: async () => undefined,
        rememberAnnounced: async () => undefined,
      },
      mailer: unconfiguredMailer,
      emailAddresses: { statusOf: unused('email addresses'), mark: unused('email addresses'), listSuppressed: unused('email addresses') },
      inboundMail: { read: unused('inbound mail') },
      tokens: { issue: unused('tokens'), verify: unused('tokens') },
      rateLimiter: { consume: unused('rate limits') },
      loginBackoff: { lockedForMs: unused('login'), recordFailure: unused('login'), reset: unused('login') },
      passwords: { hash: unused('passwords'), verify: unused('passwords'), decoyHash: '' },
      clock: { now: () => new Date(this.clockMs) },
      ids: { next: () => 'c1' },
      settings,
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: { count: () => undefined, seconds: () => undefined },
    };
  }

  now(): string {
    return new Date(this.clockMs).toISOString();
  }

  advance(seconds: number): void {
    this.clockMs += seconds * 1000;
  }

  connect(userId: string, connectionId: string): void {
    this.connections.push({
      connectionId,
      userId,
      role: userId === AGENT.id ? 'agent' : 'customer',
      connectedAt: this.now(),
      expiresAt: 2 ** 40,
    });
  }

  disconnect(connectionId: string): void {
    const at = this.connections.findIndex((c) => c.connectionId === connectionId);
    this.connections.splice(at, 1);
  }

  async agentOnline(): Promise<void> {
    await this.presence.setStatus({ id: AGENT.id, name: AGENT.name, status: 'online', skills: [], capacity: 1 }, this.now(), {
      live: true,
    });
  }

  /** A conversation assigned to the agent (its capacity claimed as the router would). */
  async assigned(): Promise<Conversation> {
    const { conversation } = await this.store.openFor({
      id: 'c1',
      customer: { id: CUSTOMER.id, name: CUSTOMER.name },
      skill: 'general',
      now: this.now(),
    });
    await this.store.appendMessage(conversation, { sender: CUSTOMER, text: 'Hello', clientMsgId: 'h' }, this.now());
    const outcome = await this.presence.claimBest('general', `${conversation.id}#1`, this.now());
    expect(outcome.agent?.id).toBe(AGENT.id);
    return (await this.store.assign(conversation.id, { id: AGENT.id, name: AGENT.name }, this.now()))!;
  }

  async say(sender: UserRef, text: string): Promise<void> {
    await this.store.appendMessage((await this.store.get('c1'))!, { sender, text, clientMsgId: `${sender.id}:${text}` }, this.now());
  }

  async conversation(): Promise<Conversation> {
    return (await this.store.get('c1'))!;
  }

  messages(): Promise<string[]> {
    return this.store.listMessages('c1', 0, 100).then((page) => page.messages.map((message) => message.text));
  }
}
