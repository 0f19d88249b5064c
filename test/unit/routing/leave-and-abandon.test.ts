import { beforeEach, describe, expect, it } from 'vitest';
import { ABANDONED_CLOSE_TEXT } from '../../../functions/domain/abandonment';
import type { Conversation } from '../../../functions/domain/conversation';
import type { UserRef } from '../../../functions/domain/identity';
import { unconfiguredMailer } from '../../../functions/adapters/system/unconfigured-mailer';
import type { ConnectionRecord } from '../../../functions/ports/connection-store';
import type { RoutingTrigger } from '../../../functions/ports/routing-queue';
import type { ServerFrame } from '../../../functions/protocol/server-frames';
import { sweepAbandonedChats } from '../../../functions/services/abandoned-chats';
import type { Ports, Settings } from '../../../functions/services/context';
import { reconcile } from '../../../functions/services/reconciliation';
import { handleTriggers } from '../../../functions/services/routing';
import { FakePresence } from './fake-presence';
import { FakeConversationStore } from './fake-store';
import { FakeNoteStore } from './fake-note-store';

/**
 * The leave grace and the abandoned-chat sweep through the services, on the in-memory ports
 * the routing properties use (same semantics as DynamoDB's conditional writes and the Lua
 * scripts), with a clock the test moves.
 */
const unused = (what: string) => () => {
  throw new Error(`${what} is not used here`);
};
const AGENT: UserRef = { id: 'agent-1', role: 'agent', name: 'Ada' };
const CUSTOMER: UserRef = { id: 'guest:1', role: 'customer', name: 'Cy' };

class Harness {
  readonly store = new FakeConversationStore(async () => undefined);
  readonly presence = new FakePresence('general', async () => undefined);
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
      routingQueue: {
        publish: async (trigger) => {
          this.triggers.push(trigger);
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

let world: Harness;
beforeEach(() => {
  world = new Harness();
});

describe('agent.left and the presence sweep', () => {
  it('an agent gone past the grace goes away and keeps its chat until presence expires; then reconciliation requeues it', async () => {
    await world.agentOnline();
    world.connect(AGENT.id, 'tab');
    await world.assigned();
    const disconnectedAt = world.now();
    world.disconnect('tab');
    world.advance(15);

    await handleTriggers(world.ports, [{ type: 'agent.left', agentId: AGENT.id, disconnectedAt }]);
    expect((await world.presence.get(AGENT.id))?.status).toBe('away');
    expect((await world.conversation()).status).toBe('assigned');
    // Away is out of routing, and the expiry sweep walks online agents only...
    world.presence.expire(AGENT.id);
    const report = await reconcile(world.ports);
    expect(report.agentsLost).toEqual([]);
    // ...but reconciliation sees an agent without presence holding a chat, and says so.
    expect(report.agentsStranded).toEqual([AGENT.id]);
    const lost = world.triggers.filter((trigger) => trigger.type === 'agent.lost');
    expect(lost).toEqual([{ type: 'agent.lost', agentId: AGENT.id }]);
    await handleTriggers(world.ports, lost);
    expect((await world.conversation()).status).toBe('queued');
  });

  it('a reconnection at or after the disconnect, or a status the agent chose, is left alone', async () => {
    await world.agentOnline();
    const disconnectedAt = world.now();
    world.connect(AGENT.id, 'reloaded');
    await handleTriggers(world.ports, [{ type: 'agent.left', agentId: AGENT.id, disconnectedAt }]);
    expect((await world.presence.get(AGENT.id))?.status).toBe('online');
    expect(world.frames).toEqual([]);

    await world.presence.setStatus({ id: AGENT.id, name: AGENT.name, status: 'offline', skills: [], capacity: 1 }, world.now(), {
      live: true,
    });
    world.disconnect('reloaded');
    await handleTriggers(world.ports, [{ type: 'agent.left', agentId: AGENT.id, disconnectedAt: world.now() }]);
    expect((await world.presence.get(AGENT.id))?.status).toBe('offline');
  });
});

describe('the abandoned-chat sweep', () => {
  beforeEach(async () => {
    await world.agentOnline();
    world.connect(AGENT.id, 'console');
    await world.assigned();
    await world.say(AGENT, 'How can I help?');
  });

  it('notices once, closes once after the close time, frees the agent and tells both sides', async () => {
    world.advance(899);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 0, closed: 0 });
    world.advance(1);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 1, closed: 0 });
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 0, closed: 0 });
    expect((await world.messages()).filter((text) => text.includes('still there'))).toHaveLength(1);

    world.advance(299);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ closed: 0 });
    world.advance(1);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ closed: 1 });
    expect(await world.conversation()).toMatchObject({ status: 'closed', closeReason: 'abandoned' });
    expect((await world.messages()).at(-1)).toBe(ABANDONED_CLOSE_TEXT);
    expect(world.frames.map(({ frame }) => frame.type).slice(-2)).toEqual(['message', 'closed']);
    expect(world.frames.at(-1)?.frame).toMatchObject({ type: 'closed', reason: 'abandoned', by: { id: 'system', role: 'system' } });
    // The normal close path: the claim is given back and the agent's queues drain.
    expect((await world.presence.get(AGENT.id))?.load).toBe(0);
    expect(world.triggers).toContainEqual({ type: 'agent.available', agentId: AGENT.id });

    world.advance(3600);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ checked: 0, noticed: 0, closed: 0 });
  });

  it('leaves a connected customer alone', async () => {
    world.connect(CUSTOMER.id, 'widget');
    world.advance(5000);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ customerConnected: 1, noticed: 0 });
  });

  it('a customer answer after the notice cancels the close; a new agent message starts a new round', async () => {
    world.advance(900);
    await sweepAbandonedChats(world.ports);
    world.advance(10);
    await world.say(CUSTOMER, 'Still here');
    world.advance(5000);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 0, closed: 0 });
    expect((await world.conversation()).status).toBe('assigned');

    await world.say(AGENT, 'Anything else?');
    world.advance(900);
    expect(await sweepAbandonedChats(world.ports)).toMatchObject({ noticed: 1 });
    expect((await world.messages()).filter((text) => text.includes('still there'))).toHaveLength(2);
  });

  it('the close is conditional: a customer message landing after the sweep decided keeps the chat', async () => {
    world.advance(900);
    await sweepAbandonedChats(world.ports);
    world.advance(300);
    const agentSeq = (await world.conversation()).lastAgentSeq!;
    await world.say(CUSTOMER, 'Sorry, I am back');
    expect(await world.store.closeAbandoned('c1', agentSeq, world.now())).toBeUndefined();
    expect((await world.conversation()).status).toBe('assigned');
  });
});
