import { beforeEach, describe, expect, it } from 'vitest';
import { setStatus } from '../../../functions/services/agents';
import { graceForgottenAgent, keepPresence } from '../../../functions/services/presence-recovery';
import { reconcile } from '../../../functions/services/reconciliation';
import { sync } from '../../../functions/services/session';
import { AGENT, Harness } from './harness';

/** Redis is a cache (docs/routing.md): the services' decisions when Redis forgets an agent (harness.ts). */
const agentUser = { id: AGENT.id, role: 'agent' as const, name: AGENT.name, skills: ['general'] };
let world: Harness;

beforeEach(async () => {
  world = new Harness();
  await setStatus(world.ports, { user: agentUser }, { action: 'status', status: 'online' });
  world.connect(AGENT.id, 'tab');
  await world.assigned();
  world.triggers.length = 0;
});

describe('an agent Redis forgot', () => {
  it('its chosen status is recorded on every status change', async () => {
    expect(await world.statuses.get(AGENT.id)).toMatchObject({ status: 'online', skills: ['general'], capacity: 3 });
    world.advance(1);
    await setStatus(world.ports, { user: agentUser }, { action: 'status', status: 'away' });
    expect(await world.statuses.get(AGENT.id)).toMatchObject({ status: 'away' });
  });

  it('connected and chose online: reconcile gives the grace and rebuilds its load; nothing is requeued', async () => {
    world.presence.forgetAll();
    const report = await reconcile(world.ports);
    expect(report).toMatchObject({ agentsGraced: [AGENT.id], agentsStranded: [], agentsLost: [], claimsAdded: 1 });
    expect(world.triggers.filter((trigger) => trigger.type === 'agent.lost')).toEqual([]);
    expect(await world.presence.get(AGENT.id)).toMatchObject({ status: 'online', load: 1, capacity: 3, skills: ['general'] });
    expect((await world.conversation()).status).toBe('assigned');
  });

  it('that sets a status while reconcile would grace it keeps that status, and reconcile says why it left it alone', async () => {
    world.presence.forgetAll();
    const logged: Array<{ message: string; fields: unknown }> = [];
    const ports = {
      ...world.ports,
      log: { ...world.ports.log, info: (message: string, fields?: unknown) => logged.push({ message, fields }) },
      // The agent goes away between reconcile's read of its record and its grace.
      presence: Object.assign(Object.create(world.presence), {
        setStatus: async (...args: Parameters<typeof world.presence.setStatus>) => {
          if (args[2]?.onlyIfForgotten) {
            world.advance(1);
            await setStatus(world.ports, { user: agentUser }, { action: 'status', status: 'away' });
          }
          return world.presence.setStatus(...args);
        },
      }),
    };
    expect(await graceForgottenAgent(ports, AGENT.id)).toBe('changed');
    expect(await world.presence.get(AGENT.id)).toMatchObject({ status: 'away' });
    expect(logged).toContainEqual({
      message: 'Redis had lost an agent that set a status meanwhile; that status stands',
      fields: { agentId: AGENT.id, recordedStatus: 'online' },
    });
  });

  it('its heartbeat restores status, skills, capacity and load, tells its connections, and offers its queues', async () => {
    world.presence.forgetAll();
    await keepPresence(world.ports, agentUser);
    expect(await world.presence.get(AGENT.id)).toMatchObject({ status: 'online', capacity: 3, skills: ['general'], load: 1 });
    expect(world.frames).toContainEqual({ userId: AGENT.id, frame: { type: 'status', status: 'online', reason: 'restored' } });
    expect(world.triggers).toContainEqual({ type: 'agent.available', agentId: AGENT.id });
    // Known again: the next heartbeat reads no record and sends nothing.
    const framesBefore = world.frames.length;
    await keepPresence(world.ports, agentUser);
    expect(world.frames.length).toBe(framesBefore);
  });

  it('its sync on connect restores it as a heartbeat does: devices that keep reconnecting may never reach a heartbeat', async () => {
    world.presence.forgetAll();
    await sync(world.ports, { user: agentUser, connectionId: 'tab' }, { action: 'sync' });
    expect(await world.presence.get(AGENT.id)).toMatchObject({ status: 'online', capacity: 3, skills: ['general'], load: 1 });
    expect(world.frames).toContainEqual({ userId: AGENT.id, frame: { type: 'status', status: 'online', reason: 'restored' } });
    expect(world.triggers).toContainEqual({ type: 'agent.available', agentId: AGENT.id });
    expect(world.frames.map(({ frame }) => frame.type)).toContain('session');
  });

  it('without a live connection it is lost at once, and its chats go back to the queues', async () => {
    world.disconnect('tab');
    world.presence.forgetAll();
    const report = await reconcile(world.ports);
    expect(report).toMatchObject({ agentsGraced: [], agentsStranded: [AGENT.id] });
    expect(world.triggers).toContainEqual({ type: 'agent.lost', agentId: AGENT.id });
  });

  it('who chose offline is not given the grace; its heartbeat settles it offline once', async () => {
    world.advance(1);
    await setStatus(world.ports, { user: agentUser }, { action: 'status', status: 'offline' });
    world.presence.forgetAll();
    await keepPresence(world.ports, agentUser);
    expect(await world.presence.get(AGENT.id)).toMatchObject({ status: 'offline' });
    expect(world.frames.filter(({ frame }) => frame.type === 'status' && 'reason' in frame)).toEqual([]);
  });

  it('that really went silent past the grace is made offline and told so; a later heartbeat brings back its choice', async () => {
    world.presence.forgetAll();
    await reconcile(world.ports);
    world.presence.expire(AGENT.id);
    const report = await reconcile(world.ports);
    expect(report.agentsLost).toEqual([AGENT.id]);
    expect(world.triggers).toContainEqual({ type: 'agent.lost', agentId: AGENT.id });
    expect(world.frames).toContainEqual({ userId: AGENT.id, frame: { type: 'status', status: 'offline', reason: 'lapsed' } });

    await keepPresence(world.ports, agentUser);
    expect(await world.presence.get(AGENT.id)).toMatchObject({ status: 'online' });
    expect(world.frames.at(-1)).toEqual({ userId: AGENT.id, frame: { type: 'status', status: 'online', reason: 'restored' } });
  });
});

describe('a status the agent sets while its forgotten state is being rebuilt', () => {
  /** The record read returns what it read, after the agent chose `status` (a read that lost the race). */
  function chooseDuringRecordRead(status: 'offline' | 'away'): void {
    const read = world.statuses.get.bind(world.statuses);
    let raced = false;
    world.statuses.get = async (agentId) => {
      const stale = await read(agentId);
      if (!raced) {
        raced = true;
        world.advance(1);
        await setStatus(world.ports, { user: agentUser }, { action: 'status', status });
      }
      return stale;
    };
  }

  it('wins over reconcile giving the grace from the record it read before', async () => {
    world.presence.forgetAll();
    chooseDuringRecordRead('offline');
    const report = await reconcile(world.ports);
    expect(await world.presence.get(AGENT.id)).toMatchObject({ status: 'offline' });
    expect(report.agentsGraced).toEqual([]);
    // Going offline put its chat back; nothing routes it back to the agent who left.
    expect(world.triggers).toContainEqual({ type: 'agent.lost', agentId: AGENT.id });
  });

  it('wins over a heartbeat restoring the status it read before, which then tells nothing', async () => {
    world.presence.forgetAll();
    chooseDuringRecordRead('offline');
    await keepPresence(world.ports, agentUser);
    expect(await world.presence.get(AGENT.id)).toMatchObject({ status: 'offline' });
    expect(world.frames.filter(({ frame }) => frame.type === 'status' && 'reason' in frame)).toEqual([]);
    expect(world.triggers).not.toContainEqual({ type: 'agent.available', agentId: AGENT.id });
  });
});
