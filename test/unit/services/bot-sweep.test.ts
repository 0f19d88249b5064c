import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../../functions/protocol/server-frames';
import { closeIdleBotConversations } from '../../../functions/services/bot-sweep';
import type { Ports } from '../../../functions/services/context';
import { FakeConversationStore } from '../routing/fake-store';

const ABANDON_AFTER_SECONDS = 900;
const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();

/** The sweep over the in-memory store, with pushes recorded per user (one connection each, named after it). */
function world() {
  const store = new FakeConversationStore(async () => undefined);
  const pushed: Array<{ to: string; frame: ServerFrame }> = [];
  const ports = {
    conversations: store,
    connections: {
      listForUser: async (userId: string) => [
        { connectionId: userId, userId, role: 'customer', connectedAt: '', expiresAt: Number.MAX_SAFE_INTEGER },
      ],
      remove: async () => undefined,
    },
    notifier: {
      send: async (connectionId: string, frame: ServerFrame) => {
        pushed.push({ to: connectionId, frame });
        return 'sent' as const;
      },
    },
    clock: { now: () => new Date(NOW) },
    settings: { abandonAfterSeconds: ABANDON_AFTER_SECONDS },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { count: () => undefined, seconds: () => undefined },
  } as unknown as Ports;
  const open = (id: string, status: 'bot' | 'queued', secondsAgo: number) =>
    store.openFor({ id, customer: { id: `guest:${id}`, name: id }, skill: 'billing', now: at(secondsAgo), status });
  return { store, pushed, ports, open };
}

describe('idle bot conversations', () => {
  it('closes a bot conversation idle for ABANDON_AFTER_SECONDS as abandoned, tells the customer, and leaves the rest', async () => {
    const { store, pushed, ports, open } = world();
    await open('idle', 'bot', ABANDON_AFTER_SECONDS + 1);
    await open('recent', 'bot', ABANDON_AFTER_SECONDS - 60);
    await open('waiting', 'queued', ABANDON_AFTER_SECONDS * 4);

    expect(await closeIdleBotConversations(ports)).toEqual({ inBot: 2, closed: 1 });
    expect(store.items.get('idle')).toMatchObject({
      status: 'closed',
      closeReason: 'abandoned',
      closedBy: { id: 'system', role: 'system' },
    });
    expect(store.items.get('recent')?.status).toBe('bot');
    expect(store.items.get('waiting')?.status).toBe('queued');
    expect(pushed).toEqual([
      {
        to: 'guest:idle',
        frame: {
          type: 'closed',
          conversationId: 'idle',
          by: { id: 'system', role: 'system' },
          ts: new Date(NOW).toISOString(),
          reason: 'abandoned',
        },
      },
    ]);

    // Safe to run twice: nothing more is closed or pushed.
    expect(await closeIdleBotConversations(ports)).toEqual({ inBot: 1, closed: 0 });
    expect(pushed).toHaveLength(1);
  });

  it('does not close a conversation that saw a message after the sweep read it', async () => {
    const { store, ports, open } = world();
    await open('busy', 'bot', ABANDON_AFTER_SECONDS * 2);
    const idleSince = at(ABANDON_AFTER_SECONDS);
    // The customer writes between the listing and the close: updatedAt moves past the cut-off.
    store.items.set('busy', { ...store.items.get('busy')!, updatedAt: at(1) });
    expect(await store.closeIdleBot('busy', idleSince, new Date(NOW).toISOString())).toBeUndefined();
    expect(await closeIdleBotConversations(ports)).toEqual({ inBot: 1, closed: 0 });
    expect(store.items.get('busy')?.status).toBe('bot');
  });
});
