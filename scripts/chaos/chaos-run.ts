import '../../local/quiet-metrics';
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { MemoryStore, ParleyClient, type WebSocketConstructor } from '../../clients/parley-client/src/index';
import { type FaultCounts, zeroCounts } from '../../local/faults/fault-injector';
import { type FaultSettings, NO_FAULTS } from '../../local/faults/fault-settings';
import { seededRandom } from '../../local/faults/random';
import { type Frame, getJson, postJson, RawClient } from '../../local/tools/raw-client';
import { type ChaosTarget, type ExternalTarget, openTarget } from './chaos-target';
import {
  type CheckResult,
  type ConversationEnd,
  check,
  DEFECT_KINDS,
  type DeviceRecord,
  type SendRecord,
  type StoredMessage,
  WRONG_REFUSAL_CODES,
} from './checker';
import { NO_STACK_FAULTS, type ScheduledEvent, type StackFaults, scheduleEvents } from './fault-schedule';
import { type RoutingCounts, RoutingDriver, type RoutingOptions } from './routing-traffic';
import { readLog } from './server-log';
import { StallError, withinStall } from './stall-error';
import { type AdminLogin, provisionStaff } from './staff-setup';

export interface ChaosOptions {
  readonly conversations: number;
  /** Messages to send in total, the conversations' first messages included, split over the conversations (both directions). */
  readonly messages: number;
  /** Conversations each agent serves (its capacity); default 2. Fewer agents means more traffic per agent device. */
  readonly conversationsPerAgent?: number;
  /** Share of participants that use a second device from the start. */
  readonly secondDeviceShare: number;
  /** Chance per device per second of an app reload (a new client on the same storage: it syncs from its cursors). */
  readonly reloadPerSecond: number;
  /**
   * New installs per participant (default 0): a new device with empty storage signs in, and
   * syncs the whole history so far from scratch, page by page. They happen at evenly spaced
   * points of the traffic (for 2: after a third and after two thirds of the sends).
   */
  readonly newInstallsPerParticipant?: number;
  /** Longest pause between one conversation's sends. */
  readonly maxPauseMs: number;
  /**
   * Pacing: accepted sends not yet acked or failed, at most this many overall and per device;
   * a conversation waits for room before its next send. Keeps the offered load at what the
   * single-process local stack can serve instead of queueing minutes of work.
   */
  readonly maxUnresolved: { readonly overall: number; readonly perDevice: number };
  readonly faults: Partial<FaultSettings>;
  readonly seed: number;
  /**
   * A wait (assignment, room to send, sends settling, devices catching up, an audit sync)
   * gives up once nothing has progressed for this long. Progress, not elapsed time: a busy
   * machine is slow but keeps progressing.
   */
  readonly stallTimeoutMs: number;
  readonly log?: (line: string) => void;
  /** Redis flushes and kills and server restarts during the traffic (none by default). */
  readonly stackFaults?: Partial<StackFaults>;
  /** Closes and new conversations, transfers, status changes and reassignments during the traffic (none by default). */
  readonly routing?: RoutingOptions;
  /** Run against this external stack instead of starting the local one. */
  readonly target?: ExternalTarget;
  /** An external stack's admin, who creates the run's staff. */
  readonly admin?: AdminLogin;
  /** A real Redis: the local stack uses it; for an external stack, the Redis it uses (for the Redis faults). */
  readonly redisUrl?: string;
  /** How often the local stack's scheduled functions (reconcile, presence sweep) run; each one's AWS rate by default. */
  readonly scheduleIntervalMs?: number;
}

/** Every fault on, at rates that make each fire many times in a run. */
export const ALL_FAULTS: FaultSettings = {
  dropDisconnect: 0.3,
  postGone: 0.005,
  postLimitExceeded: 0.03,
  postDelay: 0.2,
  delayMaxMs: 30,
  dynamoThrottle: 0.02,
  sqsDuplicate: 0.3,
  killPerSecond: 0.02,
  // Off: an outage of Secrets Manager refuses new connections (500) by design, which is no chaos finding.
  secretsUnavailable: 0,
};

/**
 * Codes a send may legitimately end `failed` with in a chaos run. Every send in the run is
 * valid (a participant, an open conversation, a short text), so the definitive refusals
 * (bad_request, forbidden, not_found, conflict, too_large, unknown_action) and `internal`
 * (which the client reports after repeated server errors) are defects. The injected faults
 * can only make the server answer `unavailable` (DynamoDB throttling that outlasted the SDK's
 * retries) or `rate_limited`; the client library retries both, so these are tolerated, not
 * expected, and the acked floor bounds how many there may be.
 */
export const ALLOWED_FAILURE_CODES: readonly string[] = ['unavailable', 'rate_limited'];

/** At least this share of accepted sends must end acked. */
export const ACKED_FLOOR = 0.9;

export interface ChaosReport {
  readonly target: ChaosTarget['kind'];
  readonly conversations: number;
  readonly participants: number;
  readonly devices: number;
  /** Sends the run planned (`options.messages`); every one must be accepted. */
  readonly planned: number;
  readonly messagesSent: { readonly byCustomers: number; readonly byAgents: number };
  readonly disconnects: number;
  readonly reloads: number;
  readonly freshInstalls: number;
  readonly resends: number;
  readonly syncs: number;
  readonly gapSyncs: number;
  readonly duplicatesDroppedByClients: number;
  /** `message` sends the clients accepted with and without a cursor (issue 14: a cursor saves one DynamoDB request). */
  readonly sendsWithCursor: number;
  readonly sendsWithoutCursor: number;
  /** Raw `sync` requests of the final audit (faults off), and the message frames they returned. */
  readonly audit: { readonly syncs: number; readonly messages: number };
  readonly injectedFaults: FaultCounts & { readonly total: number };
  /** Stack faults that ran. */
  readonly stackFaults: { readonly redisFlushes: number; readonly redisKills: number; readonly restarts: number };
  readonly routing?: RoutingCounts;
  /** Faults the target could not run, with the reason. */
  readonly skipped: readonly string[];
  /** Sends reported failed, by error code. */
  readonly failedByCode: Readonly<Record<string, number>>;
  readonly check: CheckResult;
  /** The last phase reached (`done` for a complete run). */
  readonly phase: string;
  /**
   * Set when a wait stalled (a slow or broken machine) and the run stopped early: it then judged
   * only sends against the stored log, not deliveries to devices.
   */
  readonly incomplete?: { readonly phase: string; readonly reason: string };
  /** The machine's 1, 5 and 15 minute load averages at the end. */
  readonly loadAverage: readonly number[];
  readonly seconds: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const WsConstructor = WebSocket as unknown as WebSocketConstructor;
const POLL_MS = 100;

/** One app install: a client that can be reloaded (a new instance on the same storage). */
class Device {
  readonly storage = new MemoryStore();
  readonly received = new Map<string, { seq: number; messageId: string }[]>();
  client: ParleyClient;
  /** True from the first connect on: only then may the app be reloaded. */
  connected = false;
  /** `synced` replies this install has had, across reloads. */
  syncsAnswered = 0;
  private retired = { disconnects: 0, resends: 0, syncs: 0, gapSyncs: 0, duplicatesDropped: 0, sendsWithCursor: 0, sendsWithoutCursor: 0 };
  reloads = 0;

  constructor(
    readonly deviceId: string,
    readonly userId: string,
    private readonly make: (device: Device) => ParleyClient,
  ) {
    this.client = make(this);
  }

  async reload(): Promise<void> {
    const stats = this.client.stats();
    this.retired = {
      disconnects: this.retired.disconnects + stats.disconnects + 1,
      resends: this.retired.resends + stats.resends,
      syncs: this.retired.syncs + stats.syncs,
      gapSyncs: this.retired.gapSyncs + stats.gapSyncs,
      duplicatesDropped: this.retired.duplicatesDropped + stats.duplicatesDropped,
      sendsWithCursor: this.retired.sendsWithCursor + stats.sendsWithCursor,
      sendsWithoutCursor: this.retired.sendsWithoutCursor + stats.sendsWithoutCursor,
    };
    this.client.dispose();
    this.reloads += 1;
    this.client = this.make(this);
    await this.client.connect();
  }

  totals() {
    const stats = this.client.stats();
    return {
      disconnects: this.retired.disconnects + stats.disconnects,
      resends: this.retired.resends + stats.resends,
      syncs: this.retired.syncs + stats.syncs,
      gapSyncs: this.retired.gapSyncs + stats.gapSyncs,
      duplicatesDropped: this.retired.duplicatesDropped + stats.duplicatesDropped,
      sendsWithCursor: this.retired.sendsWithCursor + stats.sendsWithCursor,
      sendsWithoutCursor: this.retired.sendsWithoutCursor + stats.sendsWithoutCursor,
    };
  }

  record(): DeviceRecord {
    return { deviceId: this.deviceId, userId: this.userId, received: this.received };
  }
}

interface Participant {
  readonly userId: string;
  readonly role: 'customer' | 'agent';
  /** A token valid now: a guest's lasts the run; an agent's is renewed from its session. */
  readonly token: () => Promise<string>;
  readonly devices: Device[];
}

/**
 * Waits until `done()`; false once `progress()` (any number that changes when something
 * happens) has not changed for `stallMs`, or `stuck()` says waiting longer is pointless.
 */
async function waitUntil(
  done: () => boolean | Promise<boolean>,
  progress: () => unknown,
  stallMs: number,
  stuck: () => boolean = () => false,
): Promise<boolean> {
  let last = progress();
  let lastChange = Date.now();
  for (;;) {
    if (await done()) return true;
    const now = progress();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > stallMs || stuck()) return false;
    await sleep(POLL_MS);
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const write = options.log ?? (() => undefined);
  const log = (line: string) => write(`${((Date.now() - started) / 1000).toFixed(1)} s ${line}`);
  const random = seededRandom(options.seed);
  const perAgent = options.conversationsPerAgent ?? 2;
  const installRounds = options.newInstallsPerParticipant ?? 0;
  const stackFaults = { ...NO_STACK_FAULTS, ...options.stackFaults };
  if (options.messages < options.conversations) throw new Error('chaos: at least one message per conversation');
  const target = await openTarget({
    ...(options.target ? { external: options.target } : {}),
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    seed: options.seed,
    persistent: stackFaults.restarts > 0,
    ...(options.scheduleIntervalMs ? { scheduleIntervalMs: options.scheduleIntervalMs } : {}),
  });
  log(`target: ${target.kind} stack at ${target.httpUrl} and ${target.wsUrl}${options.redisUrl ? ', a real Redis' : ''}`);
  const skipped: string[] = [];
  const supports = (fault: Parameters<ChaosTarget['unsupported']>[0], what: string, planned: number) => {
    const reason = planned > 0 ? target.unsupported(fault) : undefined;
    if (reason && !skipped.includes(`${what}: ${reason}`)) {
      skipped.push(`${what}: ${reason}`);
      log(`skipped ${what}: ${reason}`);
    }
    return planned > 0 && !reason;
  };
  const injecting = supports('injected', 'injected faults', Object.values(options.faults).some((value) => value > 0) ? 1 : 0);
  const done = { redisFlushes: 0, redisKills: 0, restarts: 0 };
  let phase = 'setup';
  let incomplete: ChaosReport['incomplete'];
  const devices: Device[] = [];
  const pacer = new Pacer(options.maxUnresolved, options.stallTimeoutMs);
  const sends = new Map<string, SendRecord>();
  let routing: RoutingDriver | undefined;
  let members = new Map<string, string[]>();
  let former = new Map<string, string[]>();
  let ends: ConversationEnd[] = [];
  const heldBy = new Map<string, Set<string>>();
  const logs = new Map<string, StoredMessage[]>();
  const audits: DeviceRecord[] = [];
  let auditSyncs = 0;
  let byCustomers = 0;
  let byAgents = 0;
  let freshInstalls = 0;
  let caughtUp = false;
  let supervisorToken: (() => Promise<string>) | undefined;
  let participantCount = 0;
  try {
    try {
      const refusals: Array<{ userId: string; action?: string; conversationId?: string; code: string; at: number }> = [];
      // What each agent last chose, said again on every connect as the console does: an agent
      // the leave grace set away while all its devices were reconnecting is routed again once
      // one is back (docs/routing.md "Agents who leave").
      const chosenStatus = new Map<string, Parameters<ParleyClient['setStatus']>[0]>();
      const sayChosenStatusOnConnect = (device: Device, client: ParleyClient) => {
        const choose = client.setStatus.bind(client);
        client.setStatus = (status) => {
          chosenStatus.set(device.userId, status);
          choose(status);
        };
        client.on('state', (change) => {
          const status = chosenStatus.get(device.userId);
          if (change.to === 'ready' && status) choose(status);
        });
      };
      const makeClient = (token: () => Promise<string>) => (device: Device) => {
        const client = new ParleyClient({
          url: target.wsUrl,
          token,
          WebSocket: WsConstructor,
          storage: device.storage,
          random,
          // Probe sooner than the 15 s default: answers under load still come well within this.
          ackTimeoutMs: 8_000,
          // Faults make deliveries late; a short gap grace keeps the run quick.
          gapSyncDelayMs: 250,
          syncTimeoutMs: 10_000,
          backoff: { baseMs: 100, capMs: 2_000 },
        });
        if (device.deviceId.startsWith('agent:')) sayChosenStatusOnConnect(device, client);
        client.on('message', (message) => {
          const list = device.received.get(message.conversationId) ?? [];
          list.push({ seq: message.seq, messageId: message.messageId });
          device.received.set(message.conversationId, list);
        });
        client.on('synced', () => {
          device.syncsAnswered += 1;
        });
        // Which agents the server said held which conversation: entitled to what they received.
        const held = (conversationId: string, agentId: string | undefined) => {
          if (agentId !== device.userId) return;
          heldBy.set(conversationId, (heldBy.get(conversationId) ?? new Set<string>()).add(agentId));
        };
        client.on('assigned', (frame) => held(frame.conversationId, frame.agent.id));
        client.on('transferred', (frame) => held(frame.conversationId, 'agent' in frame.to ? frame.to.agent.id : undefined));
        client.on('session', (frame) => {
          for (const summary of frame.conversations) held(summary.id, summary.agent?.id);
        });
        client.on('ack', (ack) => {
          const send = sends.get(ack.clientMsgId);
          if (send && send.outcome.kind === 'pending') {
            send.outcome = { kind: 'acked', seq: ack.seq, messageId: ack.messageId };
            send.conversationId = ack.conversationId;
            pacer.resolved(ack.clientMsgId);
          }
        });
        // Refused control frames (close, transfer, status): the routing driver reads them.
        client.on('error', (frame) => {
          refusals.push({
            userId: device.userId,
            action: frame.action,
            conversationId: frame.conversationId,
            code: frame.code,
            at: Date.now(),
          });
        });
        client.on('failed', (failure) => {
          const send = sends.get(failure.clientMsgId);
          if (send && send.outcome.kind === 'pending') {
            send.outcome = { kind: 'failed', code: failure.error.code };
            pacer.resolved(failure.clientMsgId);
          }
        });
        return client;
      };
      const newDevice = (participant: Pick<Participant, 'userId' | 'role' | 'token'>, index: number) =>
        new Device(`${participant.role}:${participant.userId}#${index}`, participant.userId, makeClient(participant.token));
      const addParticipant = (userId: string, token: () => Promise<string>, role: Participant['role']): Participant => {
        const count = random() < options.secondDeviceShare ? 2 : 1;
        const own = Array.from({ length: count }, (_, index) => newDevice({ userId, role, token }, index + 1));
        devices.push(...own);
        return { userId, role, token, devices: own };
      };

      // Agents: enough capacity for every conversation, and with routing traffic spare agents
      // so that an agent going offline always leaves room for its conversations elsewhere.
      const baseAgents = Math.ceil(options.conversations / perAgent);
      const agentCount = baseAgents + (options.routing ? Math.max(1, Math.ceil(baseAgents / 10)) : 0);
      const staff = await provisionStaff(target, { agents: agentCount, capacity: perAgent, seed: options.seed, admin: options.admin });
      supervisorToken = () => staff.supervisor.token();
      const agents: Participant[] = staff.agents.map((agent) => addParticipant(agent.id, () => agent.session.token(), 'agent'));
      const agentById = new Map(agents.map((agent) => [agent.userId, agent]));
      const customers: Participant[] = [];
      for (let index = 0; index < options.conversations; index += 1) {
        const guest = await postJson(`${target.httpUrl}/v1/auth/guest`, { name: `Customer ${index}` });
        if (guest.status !== 201) throw new Error(`chaos: guest token answered ${guest.status}: ${JSON.stringify(guest.body)}`);
        const guestToken = guest.body.token as string;
        customers.push(addParticipant(guest.body.user.id as string, async () => guestToken, 'customer'));
      }
      const customerById = new Map(customers.map((customer) => [customer.userId, customer]));
      await Promise.all(
        devices.map(async (device) => {
          await device.client.connect();
          device.connected = true;
        }),
      );
      await Promise.all(
        agents.map(
          (agent) =>
            new Promise<void>((resolve) => {
              const client = agent.devices[0]!.client;
              const stop = client.on('status', (frame) => {
                if (frame.status !== 'online') return;
                stop();
                resolve();
              });
              client.setStatus('online');
            }),
        ),
      );
      log(`setup: ${agents.length} agents, ${customers.length} customers, ${devices.length} devices connected`);

      // From here on everything runs with every fault on.
      if (injecting) target.setFaults({ ...options.faults });
      const pickDevice = (participant: Participant) => participant.devices[Math.floor(random() * participant.devices.length)]!;
      const accept = (
        participant: Participant,
        conversationId: string | undefined,
        text: string,
        start = false,
        device = pickDevice(participant),
      ) => {
        const pending = start ? device.client.start({ text }) : device.client.send(conversationId, text);
        pacer.accepted(pending.clientMsgId, device.deviceId);
        sends.set(pending.clientMsgId, {
          clientMsgId: pending.clientMsgId,
          senderId: participant.userId,
          conversationId: conversationId ?? '',
          outcome: { kind: 'pending' },
        });
        if (participant.role === 'customer') byCustomers += 1;
        else byAgents += 1;
        return pending;
      };

      // Each customer starts a conversation; the router assigns them all.
      phase = 'assignment';
      const conversationOf = new Map<Participant, string>();
      await Promise.all(
        customers.map(async (customer, index) => {
          const ack = await withinStall(
            accept(customer, undefined, `hello from customer ${index}`, true).promise,
            options.stallTimeoutMs,
            `customer ${index}'s first conversation to be acked`,
          );
          conversationOf.set(customer, ack.conversationId);
        }),
      );
      const agentOf = new Map<string, Participant>();
      const assigned = await waitUntil(
        async () => {
          for (const agent of agents) {
            const listed = await getJson(`${target.httpUrl}/v1/conversations?status=assigned`, await agent.token());
            if (listed.status !== 200) continue;
            for (const summary of listed.body.conversations as { id: string }[]) agentOf.set(summary.id, agent);
          }
          return agentOf.size >= customers.length;
        },
        () => agentOf.size,
        options.stallTimeoutMs,
      );
      if (!assigned) throw new StallError(`only ${agentOf.size} of ${customers.length} conversations were assigned`);
      log(`assigned: ${agentOf.size} conversations`);
      if (options.routing) {
        routing = new RoutingDriver(
          {
            httpUrl: () => target.httpUrl,
            supervisorToken: () => staff.supervisor.token(),
            agents: agents.map((agent) => ({ userId: agent.userId, clients: () => agent.devices.map((device) => device.client) })),
            pendingIn: (id) => [...sends.values()].filter((send) => send.conversationId === id && send.outcome.kind === 'pending').length,
            // Settled from the sends map, not the send's promise: a reload disposes the client
            // that made it (its promise never settles) and the new instance resends the start.
            startConversation: async (customerId, text) => {
              const pending = accept(customerById.get(customerId)!, undefined, text, true);
              pending.promise.catch(() => undefined);
              const send = sends.get(pending.clientMsgId)!;
              const settled = await waitUntil(
                () => send.outcome.kind !== 'pending',
                () => pacer.unresolved,
                options.stallTimeoutMs,
              );
              if (!settled) throw new StallError(`${customerId}'s new conversation was never acked`);
              if (send.outcome.kind === 'failed') throw new Error(`${customerId}'s new conversation was refused ${send.outcome.code}`);
              return send.conversationId;
            },
            random,
            stallMs: options.stallTimeoutMs,
            log,
            refusal: (agentId, action, conversationId, sinceMs) =>
              refusals.find(
                (refusal) =>
                  refusal.userId === agentId &&
                  refusal.action === action &&
                  (conversationId === undefined || refusal.conversationId === conversationId) &&
                  refusal.at >= sinceMs,
              )?.code,
          },
          options.routing,
        );
        for (const customer of customers) {
          const conversationId = conversationOf.get(customer)!;
          routing.track(conversationId, customer.userId, agentOf.get(conversationId)?.userId);
        }
      }

      // Traffic both ways, with reloads, new installs, Redis faults, restarts and routing
      // changes on the side. `messages` sends in all besides the starts of new conversations.
      phase = 'traffic';
      const participants = [...agents, ...customers];
      participantCount = participants.length;
      const rest = options.messages - customers.length;
      const planFor = (index: number) => Math.floor(rest / customers.length) + (index < rest % customers.length ? 1 : 0);
      const installing: Promise<void>[] = [];
      const installAt = Array.from({ length: installRounds }, (_, round) =>
        Math.floor(((round + 1) * options.messages) / (installRounds + 1)),
      );
      const installRound = () => {
        for (const participant of participants) {
          const device = newDevice(participant, participant.devices.length + 1);
          participant.devices.push(device);
          devices.push(device);
          freshInstalls += 1;
          const connecting = device.client.connect().then(() => {
            device.connected = true;
          });
          connecting.catch(() => undefined); // awaited after the traffic
          installing.push(connecting);
        }
      };
      const events = scheduleEvents(stackFaults, options.routing, options.messages, random).filter((event) => {
        if (event.kind === 'redis-flush') return supports('redis-flush', 'Redis flushes', 1);
        if (event.kind === 'redis-kill') return supports('redis-kill', 'Redis kills', 1);
        if (event.kind === 'restart') return supports('restart', 'server restarts', 1);
        return true;
      });
      let lastStackFaultAt = 0;
      let stackFaultChain: Promise<void> = Promise.resolve();
      const running: Promise<void>[] = [];
      const fire = (event: ScheduledEvent) => {
        const act = async () => {
          log(`fault: ${event.kind} at send ${sends.size}`);
          switch (event.kind) {
            case 'redis-flush':
              await target.flushRedis();
              done.redisFlushes += 1;
              break;
            case 'redis-kill':
              await target.killRedis(stackFaults.redisKillSeconds);
              done.redisKills += 1;
              break;
            case 'restart':
              await target.restart();
              if (injecting) target.setFaults({ ...options.faults });
              done.restarts += 1;
              break;
            default:
              await routing?.agentWide(event.kind);
              return;
          }
          lastStackFaultAt = Date.now();
        };
        const isStackFault = event.kind === 'redis-flush' || event.kind === 'redis-kill' || event.kind === 'restart';
        // Stack faults one after another (a restart never overlaps a Redis outage).
        // A stack fault that never completes (a restart that hangs) must not hang the run.
        const bounded = () =>
          withinStall(act(), options.stallTimeoutMs + stackFaults.redisKillSeconds * 1000, `the ${event.kind} fault to complete`);
        const run = isStackFault ? stackFaultChain.then(bounded) : act();
        const settled = run.catch((error: unknown) => log(`fault ${event.kind} failed: ${String(error)}`));
        if (isStackFault) stackFaultChain = settled;
        running.push(settled);
      };
      let trafficDone = false;
      const progress = setInterval(() => {
        const acked = [...sends.values()].filter((send) => send.outcome.kind === 'acked').length;
        log(`traffic: ${sends.size} accepted, ${acked} acked, ${pacer.unresolved} unresolved`);
      }, 30_000);
      progress.unref();
      const sideEffects = (async () => {
        const tickMs = 250;
        while (!trafficDone) {
          await sleep(tickMs);
          const reloadChance = (options.reloadPerSecond * tickMs) / 1000;
          // Only installs that finished connecting are reloaded.
          await Promise.all(
            devices
              .filter((device) => device.connected && random() < reloadChance)
              .map((device) => withinStall(device.reload(), options.stallTimeoutMs, `${device.deviceId} to reload`)),
          );
        }
      })();
      // Awaited after the traffic; a failure meanwhile must not count as unhandled.
      sideEffects.catch(() => undefined);
      try {
        await Promise.all(
          customers.map(async (customer, index) => {
            let conversationId = conversationOf.get(customer)!;
            for (let n = 0; n < planFor(index); n += 1) {
              if (routing) conversationId = await routing.beforeSend(conversationId);
              for (;;) {
                const ownerId = routing ? routing.ownerOf(conversationId) : agentOf.get(conversationId)?.userId;
                const fromCustomer = ownerId === undefined || random() < 0.5;
                const sender = fromCustomer ? customer : agentById.get(ownerId)!;
                const device = pickDevice(sender);
                await pacer.room(device.deviceId);
                // A routing change may have begun while this waited for room: the conversation
                // takes no sends until it ends, and only its agent then may send as the agent.
                if (routing && (routing.paused(conversationId) || (!fromCustomer && routing.ownerOf(conversationId) !== ownerId))) {
                  await sleep(POLL_MS);
                  continue;
                }
                accept(sender, conversationId, `message ${n} in conversation ${index}`, false, device);
                break;
              }
              while (installAt.length > 0 && sends.size >= installAt[0]!) {
                installAt.shift();
                installRound();
              }
              while (events.length > 0 && sends.size >= events[0]!.at) fire(events.shift()!);
              await sleep(Math.floor(random() * options.maxPauseMs));
            }
          }),
        );
      } finally {
        trafficDone = true;
        clearInterval(progress);
        for (const event of events.splice(0)) fire(event);
        await sideEffects;
        await Promise.all(installing);
        await Promise.all(running);
      }
      log(`traffic: ${byCustomers + byAgents} sends accepted, ${freshInstalls} new installs`);

      // Every accepted send ends acked or failed.
      phase = 'settling sends';
      const pendingSends = () => [...sends.values()].filter((send) => send.outcome.kind === 'pending').length;
      if (!(await waitUntil(() => pendingSends() === 0, pendingSends, options.stallTimeoutMs))) {
        const stuck = devices.filter((device) => device.client.pending().length > 0);
        log(
          `some sends never settled; the checker counts them (${stuck.map((d) => `${d.deviceId} ${d.client.state} ${d.client.pending().length}`).join(', ')})`,
        );
      }
      log('sends settled');

      // No conversation left queued or with an offline agent once things had time to settle;
      // who holds each one then is who is owed its whole history.
      if (routing) {
        phase = 'stranded check';
        const settleFrom = Math.max(lastStackFaultAt, Date.now() - options.routing!.settleMs);
        ends = await routing.ends(settleFrom);
        log(
          `ends: ${ends.filter((end) => end.status === 'assigned').length} assigned, ${ends.filter((end) => end.status === 'queued').length} queued`,
        );
        routing.adopt(ends, heldBy);
      }

      // Every device syncs until it holds each of its conversations up to the server's last seq.
      phase = 'catching up';
      if (routing) {
        members = routing.participants();
        former = routing.formerParticipants();
      } else {
        for (const customer of customers) {
          const conversationId = conversationOf.get(customer)!;
          members.set(conversationId, [customer.userId, agentOf.get(conversationId)!.userId]);
        }
      }
      for (const conversationId of members.keys()) {
        logs.set(conversationId, await readLog(target.httpUrl, await staff.supervisor.token(), conversationId, options.stallTimeoutMs));
      }
      const behindBy = (device: Device) =>
        [...logs].reduce(
          (total, [id, messages]) =>
            members.get(id)!.includes(device.userId) ? total + Math.max(0, messages.length - (device.client.cursor(id) ?? 0)) : total,
          0,
        );
      const lagging = () => devices.filter((device) => behindBy(device) > 0);
      // A device is stuck when it answered several syncs in a row without getting closer: more
      // waiting cannot help, however slow the machine.
      const watch = new Map<Device, { behind: number; syncs: number }>();
      const stuck = () =>
        lagging().every((device) => {
          const behind = behindBy(device);
          const seen = watch.get(device);
          if (!seen || behind < seen.behind) {
            watch.set(device, { behind, syncs: device.syncsAnswered });
            return false;
          }
          return device.syncsAnswered - seen.syncs >= 5;
        });
      caughtUp = await waitUntil(
        () => {
          const behind = lagging();
          for (const device of behind) if (device.client.state === 'ready') device.client.resync();
          return behind.length === 0;
        },
        () => devices.reduce((total, device) => total + behindBy(device), 0),
        options.stallTimeoutMs,
        stuck,
      );
      if (!caughtUp) log(`${lagging().length} devices never caught up; the checker counts what they miss`);
      else log('devices caught up');

      // Audit: with the faults off, participants ask the server directly (a raw `sync`, no
      // client library to heal what it returns) and must get exactly the log after their
      // cursors, in order, once: agents (each holding several conversations) from the start,
      // customers from half way.
      phase = 'audit';
      if (injecting) target.setFaults(NO_FAULTS);
      let idlePolls = 0;
      const idle = await waitUntil(
        () => {
          idlePolls = target.invocationsInFlight() === 0 ? idlePolls + 1 : 0;
          return idlePolls >= 2;
        },
        () => target.invocationsInFlight(),
        options.stallTimeoutMs,
      );
      if (!idle) log(`${target.invocationsInFlight()} handler invocations still running before the audit`);
      for (const participant of participants) {
        const own = [...members].filter(([, users]) => users.includes(participant.userId)).map(([id]) => id);
        const fromStart = participant.role === 'agent';
        const from = new Map(own.map((id) => [id, fromStart ? 0 : Math.floor(logs.get(id)!.length / 2)]));
        const audit = await auditSync(target.wsUrl, await participant.token(), from, options.stallTimeoutMs);
        auditSyncs += audit.syncs;
        audits.push({
          deviceId: `audit:${participant.userId}:${fromStart ? 'from-start' : 'from-halfway'}`,
          userId: participant.userId,
          received: audit.received,
          startAfter: from,
        });
      }
      log(`audit: ${auditSyncs} raw syncs`);

      phase = 'done';
    } catch (error) {
      if (!(error instanceof StallError)) throw error;
      incomplete = { phase, reason: error.message };
      log(`incomplete: ${phase}: ${error.message}`);
    }

    // An incomplete run judges what it can: sends against the log; deliveries only once
    // every device had its chance to catch up.
    if (incomplete && supervisorToken) {
      for (const id of new Set([...sends.values()].map((send) => send.conversationId).filter(Boolean))) {
        if (logs.has(id)) continue;
        try {
          logs.set(id, await readLog(target.httpUrl, await supervisorToken(), id, options.stallTimeoutMs));
        } catch {
          break;
        }
      }
    }
    const sendList = [...sends.values()];
    const result = check({
      logs,
      participants: members,
      formerParticipants: former,
      devices: incomplete ? [] : [...devices.map((device) => device.record()), ...audits],
      sends: incomplete ? sendList.filter((send) => send.outcome.kind !== 'pending' && logs.has(send.conversationId)) : sendList,
      ends,
    });
    const failedByCode: Record<string, number> = {};
    for (const send of sendList)
      if (send.outcome.kind === 'failed') failedByCode[send.outcome.code] = (failedByCode[send.outcome.code] ?? 0) + 1;
    const totals = devices.map((device) => device.totals());
    const sum = (pick: (t: (typeof totals)[number]) => number) => totals.reduce((total, t) => total + pick(t), 0);
    const injected = target.faultCounts() ?? zeroCounts();
    return {
      target: target.kind,
      conversations: members.size || options.conversations,
      participants: participantCount,
      devices: devices.length,
      planned: options.messages + (routing?.counts.newConversations ?? 0),
      messagesSent: { byCustomers, byAgents },
      disconnects: sum((t) => t.disconnects),
      reloads: devices.reduce((total, device) => total + device.reloads, 0),
      freshInstalls,
      resends: sum((t) => t.resends),
      syncs: sum((t) => t.syncs),
      gapSyncs: sum((t) => t.gapSyncs),
      duplicatesDroppedByClients: sum((t) => t.duplicatesDropped),
      sendsWithCursor: sum((t) => t.sendsWithCursor),
      sendsWithoutCursor: sum((t) => t.sendsWithoutCursor),
      audit: {
        syncs: auditSyncs,
        messages: audits.reduce((total, audit) => total + [...audit.received.values()].reduce((n, list) => n + list.length, 0), 0),
      },
      injectedFaults: { ...injected, total: Object.values(injected).reduce((total, count) => total + count, 0) },
      stackFaults: done,
      ...(routing ? { routing: routing.counts } : {}),
      skipped,
      failedByCode,
      check: result,
      phase,
      ...(incomplete ? { incomplete } : {}),
      loadAverage: loadavg().map((load) => Math.round(load * 100) / 100),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    for (const device of devices) device.client.dispose();
    await target.stop();
  }
}

/**
 * One raw connection asks `sync` with the given cursors, again from where each reply says it
 * reached while the reply says `more`, and records the message frames in wire order.
 */
async function auditSync(
  wsUrl: string,
  token: string,
  from: ReadonlyMap<string, number>,
  stallMs: number,
): Promise<{ received: Map<string, { seq: number; messageId: string }[]>; syncs: number }> {
  const raw = await RawClient.connect(wsUrl, token);
  const received = new Map<string, { seq: number; messageId: string }[]>();
  let syncs = 0;
  try {
    let cursors: Record<string, number> = Object.fromEntries(from);
    for (let more = true; more; ) {
      const first = raw.frames.length;
      raw.send({ action: 'sync', cursors });
      syncs += 1;
      // Frames keep arriving while the server pages: wait as long as they do.
      let synced: Frame | undefined;
      let seen = raw.frames.length;
      while (!synced) {
        synced = await raw.next((frame) => frame.type === 'synced' || frame.type === 'error', stallMs).catch(() => undefined);
        if (!synced && raw.frames.length === seen) throw new StallError('an audit sync stalled');
        seen = raw.frames.length;
      }
      if (synced.type === 'error') throw new Error(`chaos: an audit sync failed: ${JSON.stringify(synced)}`);
      for (const frame of raw.frames.slice(first)) {
        if (frame === synced) break;
        if (frame.type !== 'message') continue;
        const id = frame.conversationId as string;
        const list = received.get(id) ?? [];
        list.push({ seq: frame.seq as number, messageId: frame.messageId as string });
        received.set(id, list);
      }
      more = synced.more === true;
      cursors = { ...cursors, ...(synced.conversations as Record<string, number>) };
    }
  } finally {
    await raw.close();
  }
  return { received, syncs };
}

/** Accepted sends not yet resolved, overall and per device, and a wait for room under both limits. */
class Pacer {
  private readonly deviceOf = new Map<string, string>();
  private readonly perDevice = new Map<string, number>();
  private lastResolved = Date.now();

  constructor(
    private readonly limits: ChaosOptions['maxUnresolved'],
    private readonly stallMs: number,
  ) {}

  get unresolved(): number {
    return this.deviceOf.size;
  }

  accepted(clientMsgId: string, deviceId: string): void {
    this.deviceOf.set(clientMsgId, deviceId);
    this.perDevice.set(deviceId, (this.perDevice.get(deviceId) ?? 0) + 1);
  }

  resolved(clientMsgId: string): void {
    const deviceId = this.deviceOf.get(clientMsgId);
    if (deviceId === undefined) return;
    this.lastResolved = Date.now();
    this.deviceOf.delete(clientMsgId);
    this.perDevice.set(deviceId, (this.perDevice.get(deviceId) ?? 1) - 1);
  }

  async room(deviceId: string): Promise<void> {
    while (this.deviceOf.size >= this.limits.overall || (this.perDevice.get(deviceId) ?? 0) >= this.limits.perDevice) {
      if (Date.now() - this.lastResolved > this.stallMs) {
        throw new StallError(`no send resolved for ${this.stallMs / 1000} s (${this.deviceOf.size} unresolved)`);
      }
      await sleep(20);
    }
  }
}

/**
 * Every correctness failure of a run, besides the checker's defects (which include sends
 * wrongly refused and stranded conversations): every planned send accepted, at least
 * ACKED_FLOOR of them acked, failures only with ALLOWED_FAILURE_CODES, and every routing
 * change seen through. Empty for a passing run. An incomplete run is judged only on what it
 * reached: a stall is not a correctness failure (see `exitCode`).
 */
export function verdict(report: ChaosReport): string[] {
  const c = report.check;
  const reasons: string[] = [];
  if (!report.incomplete) {
    if (c.accepted !== report.planned) reasons.push(`accepted ${c.accepted} sends, planned ${report.planned}`);
    if (c.acked < Math.ceil(ACKED_FLOOR * c.accepted))
      reasons.push(`acked ${c.acked} of ${c.accepted} sends, under the floor of ${ACKED_FLOOR * 100}%`);
  }
  for (const [code, count] of Object.entries(report.failedByCode))
    if (!ALLOWED_FAILURE_CODES.includes(code) && !WRONG_REFUSAL_CODES.includes(code))
      reasons.push(`${count} sends failed with ${code}, which no send in this run may`);
  for (const kind of DEFECT_KINDS) if (c[kind] > 0) reasons.push(`${kind}: ${c[kind]}`);
  for (const problem of report.routing?.problems ?? []) reasons.push(`routing: ${problem}`);
  return reasons;
}

/** Exit codes of `npm run chaos`: 0 passed, 1 a correctness failure, 3 incomplete (stalled) without one. */
export const EXIT_CODES = { passed: 0, failed: 1, incomplete: 3 } as const;

export function exitCode(report: ChaosReport): number {
  if (verdict(report).length > 0) return EXIT_CODES.failed;
  return report.incomplete ? EXIT_CODES.incomplete : EXIT_CODES.passed;
}

/** The counts a run prints. */
export function formatReport(report: ChaosReport): string {
  const c = report.check;
  const f = report.injectedFaults;
  const r = report.routing;
  return [
    `target ${report.target}; conversations ${report.conversations}, participants ${report.participants}, devices ${report.devices} (new installs ${report.freshInstalls})`,
    `messages: planned ${report.planned}, accepted ${c.accepted} (customers ${report.messagesSent.byCustomers}, agents ${report.messagesSent.byAgents}), acked ${c.acked}, failed ${c.failed}, unresolved ${c.unresolved}, stored ${c.storedMessages}`,
    ...(c.failed > 0
      ? [
          `failed sends by code: ${Object.entries(report.failedByCode)
            .map(([code, count]) => `${code} ${count}`)
            .join(', ')}`,
        ]
      : []),
    `disconnects ${report.disconnects} (app reloads ${report.reloads}), resends ${report.resends}, syncs ${report.syncs} (gap syncs ${report.gapSyncs}), duplicate frames dropped by clients ${report.duplicatesDroppedByClients}, sends with cursor ${report.sendsWithCursor} / without ${report.sendsWithoutCursor}`,
    `audit: ${report.audit.syncs} raw syncs returned ${report.audit.messages} messages`,
    `injected faults ${f.total}: $disconnect dropped ${f.disconnectsDropped}, posts 410 ${f.postsGone}, posts LimitExceeded ${f.postsLimitExceeded}, posts delayed ${f.postsDelayed}, DynamoDB throttled ${f.dynamoThrottled}, SQS batches twice ${f.sqsDuplicated}, connections killed ${f.connectionsKilled}`,
    `stack faults: Redis flushes ${report.stackFaults.redisFlushes}, Redis kills ${report.stackFaults.redisKills}, restarts ${report.stackFaults.restarts}`,
    ...(r
      ? [
          `routing: closes ${r.closes} (new conversations ${r.newConversations}), transfers ${r.transfers} (refused ${r.transfersRefused}), status flips ${r.statusFlips}, agents offline ${r.offlines} (conversations reassigned ${r.reassigned})`,
        ]
      : []),
    ...report.skipped.map((line) => `skipped ${line}`),
    `lost ${c.lost}, duplicated ${c.duplicated}, out of order ${c.outOfOrder}, unexpected ${c.unexpected}, acked but not stored ${c.ackedNotStored}, failed but stored ${c.failedButStored}, log defects ${c.logDefects}, wrongly refused ${c.wronglyRefused}, stranded ${c.stranded}`,
    ...(report.incomplete
      ? [
          `INCOMPLETE at ${report.incomplete.phase}: ${report.incomplete.reason}; sent ${c.accepted}, acked ${c.acked}, verified against the log ${c.acked - c.ackedNotStored} (deliveries to devices not judged)`,
        ]
      : []),
    `took ${report.seconds} s, phase ${report.phase}, load average ${report.loadAverage.join(' ')}`,
    ...c.problems.map((problem) => `  problem: ${problem}`),
    ...(r?.problems ?? []).slice(0, 20).map((problem) => `  routing problem: ${problem}`),
  ].join('\n');
}
