import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import { MemoryStore, ParleyClient, type WebSocketConstructor } from '../../clients/parley-client/src/index';
import { hashPassword } from '../../functions/adapters/crypto/password-hasher';
import { DynamoAgentDirectory } from '../../functions/adapters/dynamodb/agent-directory';
import { DynamoCredentialStore } from '../../functions/adapters/dynamodb/credential-store';
import { DynamoConversationStore } from '../../functions/adapters/dynamodb/conversation-store';
import { ulidGenerator } from '../../functions/adapters/system/clock';
import { localDynamoClient } from '../../local/dynamodb/dynalite-server';
import type { FaultCounts } from '../../local/faults/fault-injector';
import { type FaultSettings, NO_FAULTS } from '../../local/faults/fault-settings';
import { seededRandom } from '../../local/faults/random';
import type { LambdaHandler } from '../../local/gateway/lambda-handler';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { type Frame, getJson, postJson, RawClient } from '../../local/tools/raw-client';
import { StaffTokens } from './staff-tokens';
import { type CheckResult, check, DEFECT_KINDS, type DeviceRecord, type SendRecord, type StoredMessage } from './checker';
import { liftedLimits } from '../../local/tools/lifted-limits';

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
  /** Raw `sync` requests of the final audit (faults off), and the message frames they returned. */
  readonly audit: { readonly syncs: number; readonly messages: number };
  readonly injectedFaults: FaultCounts & { readonly total: number };
  /** Sends reported failed, by error code. */
  readonly failedByCode: Readonly<Record<string, number>>;
  readonly check: CheckResult;
  readonly seconds: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const WsConstructor = WebSocket as unknown as WebSocketConstructor;
/** The chaos run is about faults, not abuse limits: lift every limit and connection cap. */
const LIFTED_RATE_LIMITS = liftedLimits();
const AGENT_PASSWORD = 'chaos-agent-password';
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
  private retired = { disconnects: 0, resends: 0, syncs: 0, gapSyncs: 0, duplicatesDropped: 0 };
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
  if (options.messages < options.conversations) throw new Error('chaos: at least one message per conversation');
  // Handler invocations running now: the audit waits for none, so that a slow invocation from
  // the faulty phase (say, a message whose broadcast was held up by throttling while its
  // resend was acked) cannot push a live frame into the audit's connection mid-sync.
  let invocationsInFlight = 0;
  const countInvocations =
    (_name: string, handler: LambdaHandler): LambdaHandler =>
    async (event, context) => {
      invocationsInFlight += 1;
      try {
        return await handler(event, context);
      } finally {
        invocationsInFlight -= 1;
      }
    };
  const stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: false,
    instrument: countInvocations,
    faults: {},
    faultSeed: options.seed,
    logLevel: 'ERROR',
    env: { ...LIFTED_RATE_LIMITS },
  });
  log(
    `rate limits lifted for this stack: ${Object.entries(LIFTED_RATE_LIMITS)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}`,
  );
  const devices: Device[] = [];
  const pacer = new Pacer(options.maxUnresolved, options.stallTimeoutMs);
  try {
    const sends = new Map<string, SendRecord>();
    const makeClient = (token: () => Promise<string>) => (device: Device) => {
      const client = new ParleyClient({
        url: stack.wsUrl,
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
      client.on('message', (message) => {
        const list = device.received.get(message.conversationId) ?? [];
        list.push({ seq: message.seq, messageId: message.messageId });
        device.received.set(message.conversationId, list);
      });
      client.on('synced', () => {
        device.syncsAnswered += 1;
      });
      client.on('ack', (ack) => {
        const send = sends.get(ack.clientMsgId);
        if (send && send.outcome.kind === 'pending') {
          send.outcome = { kind: 'acked', seq: ack.seq, messageId: ack.messageId };
          send.conversationId = ack.conversationId;
          pacer.resolved(ack.clientMsgId);
        }
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

    // Agents: enough capacity for every conversation.
    const documents = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
    const directory = new DynamoAgentDirectory(documents, stack.tableName);
    const credentials = new DynamoCredentialStore(documents, stack.tableName);
    const passwordHash = await hashPassword(AGENT_PASSWORD);
    const agentCount = Math.ceil(options.conversations / perAgent);
    const agents: Participant[] = [];
    for (let index = 0; index < agentCount; index += 1) {
      const email = `chaos.agent${index}@example.com`;
      await directory.put({
        id: `chaos-agent-${index}`,
        email,
        name: `Agent ${index}`,
        role: 'agent',
        skills: [],
        capacity: perAgent,
      });
      await credentials.setPasswordHash(`chaos-agent-${index}`, passwordHash);
      const session = await StaffTokens.signIn(stack.httpUrl, email, AGENT_PASSWORD);
      agents.push(addParticipant(`chaos-agent-${index}`, () => session.token(), 'agent'));
    }
    const customers: Participant[] = [];
    for (let index = 0; index < options.conversations; index += 1) {
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: `Customer ${index}` });
      if (guest.status !== 201) throw new Error(`chaos: guest token answered ${guest.status}: ${JSON.stringify(guest.body)}`);
      const guestToken = guest.body.token as string;
      customers.push(addParticipant(guest.body.user.id as string, async () => guestToken, 'customer'));
    }
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
    stack.faults!.update({ ...options.faults });
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
      return pending;
    };

    // Each customer starts a conversation; the router assigns them all.
    const conversationOf = new Map<Participant, string>();
    await Promise.all(
      customers.map(async (customer, index) => {
        const ack = await accept(customer, undefined, `hello from customer ${index}`, true).promise;
        conversationOf.set(customer, ack.conversationId);
      }),
    );
    const agentOf = new Map<string, Participant>();
    const assigned = await waitUntil(
      async () => {
        for (const agent of agents) {
          const listed = await getJson(`${stack.httpUrl}/v1/conversations?status=assigned`, await agent.token());
          if (listed.status !== 200) continue;
          for (const summary of listed.body.conversations as { id: string }[]) agentOf.set(summary.id, agent);
        }
        return agentOf.size >= customers.length;
      },
      () => agentOf.size,
      options.stallTimeoutMs,
    );
    if (!assigned) throw new Error(`chaos: only ${agentOf.size} of ${customers.length} conversations were assigned`);
    log(`assigned: ${agentOf.size} conversations`);

    // Traffic both ways, with reloads and new installs on the side. Exactly `messages` sends
    // in all: the starts above, the rest spread over the conversations.
    const participants = [...agents, ...customers];
    const rest = options.messages - customers.length;
    const planFor = (index: number) => Math.floor(rest / customers.length) + (index < rest % customers.length ? 1 : 0);
    let byCustomers = customers.length;
    let byAgents = 0;
    let freshInstalls = 0;
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
        await Promise.all(devices.filter((device) => device.connected && random() < reloadChance).map((device) => device.reload()));
      }
    })();
    // Awaited after the traffic; a failure meanwhile must not count as unhandled.
    sideEffects.catch(() => undefined);
    try {
      await Promise.all(
        customers.map(async (customer, index) => {
          const conversationId = conversationOf.get(customer)!;
          const agent = agentOf.get(conversationId)!;
          for (let n = 0; n < planFor(index); n += 1) {
            const fromCustomer = random() < 0.5;
            const sender = fromCustomer ? customer : agent;
            const device = pickDevice(sender);
            await pacer.room(device.deviceId);
            if (fromCustomer) byCustomers += 1;
            else byAgents += 1;
            accept(sender, conversationId, `message ${n} in conversation ${index}`, false, device);
            while (installAt.length > 0 && sends.size >= installAt[0]!) {
              installAt.shift();
              installRound();
            }
            await sleep(Math.floor(random() * options.maxPauseMs));
          }
        }),
      );
    } finally {
      trafficDone = true;
      clearInterval(progress);
      await sideEffects;
      await Promise.all(installing);
    }
    log(`traffic: ${byCustomers + byAgents} sends accepted, ${freshInstalls} new installs`);

    // Every accepted send ends acked or failed.
    const pendingSends = () => [...sends.values()].filter((send) => send.outcome.kind === 'pending').length;
    if (!(await waitUntil(() => pendingSends() === 0, pendingSends, options.stallTimeoutMs))) {
      const stuck = devices.filter((device) => device.client.pending().length > 0);
      log(
        `some sends never settled; the checker counts them (${stuck.map((d) => `${d.deviceId} ${d.client.state} ${d.client.pending().length}`).join(', ')})`,
      );
    }
    log('sends settled');

    // Every device syncs until it holds each of its conversations up to the server's last seq.
    const store = new DynamoConversationStore(
      DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb)),
      stack.tableName,
      ulidGenerator(),
    );
    const logs = new Map<string, StoredMessage[]>();
    const members = new Map<string, string[]>();
    for (const customer of customers) {
      const conversationId = conversationOf.get(customer)!;
      members.set(conversationId, [customer.userId, agentOf.get(conversationId)!.userId]);
      logs.set(conversationId, await readLog(store, conversationId));
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
    const caughtUp = await waitUntil(
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
    const injected = stack.faults!.counts();

    // Audit: with the faults off, participants ask the server directly (a raw `sync`, no
    // client library to heal what it returns) and must get exactly the log after their
    // cursors, in order, once: agents (each holding several conversations) from the start,
    // customers from half way.
    stack.faults!.update(NO_FAULTS);
    let idlePolls = 0;
    const idle = await waitUntil(
      () => {
        idlePolls = invocationsInFlight === 0 ? idlePolls + 1 : 0;
        return idlePolls >= 2;
      },
      () => invocationsInFlight,
      options.stallTimeoutMs,
    );
    if (!idle) log(`${invocationsInFlight} handler invocations still running before the audit`);
    const audits: DeviceRecord[] = [];
    let auditSyncs = 0;
    for (const participant of participants) {
      const own = [...members].filter(([, users]) => users.includes(participant.userId)).map(([id]) => id);
      const fromStart = participant.role === 'agent';
      const from = new Map(own.map((id) => [id, fromStart ? 0 : Math.floor(logs.get(id)!.length / 2)]));
      const audit = await auditSync(stack, await participant.token(), from, options.stallTimeoutMs);
      auditSyncs += audit.syncs;
      audits.push({
        deviceId: `audit:${participant.userId}:${fromStart ? 'from-start' : 'from-halfway'}`,
        userId: participant.userId,
        received: audit.received,
        startAfter: from,
      });
    }
    log(`audit: ${auditSyncs} raw syncs`);

    const sendList = [...sends.values()];
    const result = check({
      logs,
      participants: members,
      devices: [...devices.map((device) => device.record()), ...audits],
      sends: sendList,
    });
    const failedByCode: Record<string, number> = {};
    for (const send of sendList)
      if (send.outcome.kind === 'failed') failedByCode[send.outcome.code] = (failedByCode[send.outcome.code] ?? 0) + 1;
    const totals = devices.map((device) => device.totals());
    const sum = (pick: (t: (typeof totals)[number]) => number) => totals.reduce((total, t) => total + pick(t), 0);
    return {
      conversations: customers.length,
      participants: participants.length,
      devices: devices.length,
      planned: options.messages,
      messagesSent: { byCustomers, byAgents },
      disconnects: sum((t) => t.disconnects),
      reloads: devices.reduce((total, device) => total + device.reloads, 0),
      freshInstalls,
      resends: sum((t) => t.resends),
      syncs: sum((t) => t.syncs),
      gapSyncs: sum((t) => t.gapSyncs),
      duplicatesDroppedByClients: sum((t) => t.duplicatesDropped),
      audit: {
        syncs: auditSyncs,
        messages: audits.reduce((total, audit) => total + [...audit.received.values()].reduce((n, list) => n + list.length, 0), 0),
      },
      injectedFaults: { ...injected, total: Object.values(injected).reduce((total, count) => total + count, 0) },
      failedByCode,
      check: result,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    for (const device of devices) device.client.dispose();
    await stack.stop();
  }
}

/**
 * One raw connection asks `sync` with the given cursors, again from where each reply says it
 * reached while the reply says `more`, and records the message frames in wire order.
 */
async function auditSync(
  stack: LocalStack,
  token: string,
  from: ReadonlyMap<string, number>,
  stallMs: number,
): Promise<{ received: Map<string, { seq: number; messageId: string }[]>; syncs: number }> {
  const raw = await RawClient.connect(stack.wsUrl, token);
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
        if (!synced && raw.frames.length === seen) throw new Error('chaos: an audit sync stalled');
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
        throw new Error(`chaos: no send resolved for ${this.stallMs / 1000} s (${this.deviceOf.size} unresolved)`);
      }
      await sleep(20);
    }
  }
}

async function readLog(store: DynamoConversationStore, conversationId: string): Promise<StoredMessage[]> {
  const messages: StoredMessage[] = [];
  for (let more = true; more; ) {
    const page = await store.listMessages(conversationId, messages.at(-1)?.seq ?? 0, 200);
    for (const message of page.messages) {
      messages.push({
        seq: message.seq,
        messageId: message.messageId,
        senderId: message.sender.id,
        ...(message.clientMsgId ? { clientMsgId: message.clientMsgId } : {}),
      });
    }
    more = page.more;
  }
  return messages;
}

/**
 * Everything that makes a run fail, besides the checker's defects: every planned send
 * accepted, at least ACKED_FLOOR of them acked, and failures only with ALLOWED_FAILURE_CODES.
 * Empty for a passing run.
 */
export function verdict(report: ChaosReport): string[] {
  const c = report.check;
  const reasons: string[] = [];
  if (c.accepted !== report.planned) reasons.push(`accepted ${c.accepted} sends, planned ${report.planned}`);
  if (c.acked < Math.ceil(ACKED_FLOOR * c.accepted))
    reasons.push(`acked ${c.acked} of ${c.accepted} sends, under the floor of ${ACKED_FLOOR * 100}%`);
  for (const [code, count] of Object.entries(report.failedByCode))
    if (!ALLOWED_FAILURE_CODES.includes(code)) reasons.push(`${count} sends failed with ${code}, which no send in this run may`);
  for (const kind of DEFECT_KINDS) if (c[kind] > 0) reasons.push(`${kind}: ${c[kind]}`);
  return reasons;
}

/** The counts a run prints. */
export function formatReport(report: ChaosReport): string {
  const c = report.check;
  const f = report.injectedFaults;
  return [
    `conversations ${report.conversations}, participants ${report.participants}, devices ${report.devices} (new installs ${report.freshInstalls})`,
    `messages: planned ${report.planned}, accepted ${c.accepted} (customers ${report.messagesSent.byCustomers}, agents ${report.messagesSent.byAgents}), acked ${c.acked}, failed ${c.failed}, unresolved ${c.unresolved}, stored ${c.storedMessages}`,
    ...(c.failed > 0
      ? [
          `failed sends by code: ${Object.entries(report.failedByCode)
            .map(([code, count]) => `${code} ${count}`)
            .join(', ')}`,
        ]
      : []),
    `disconnects ${report.disconnects} (app reloads ${report.reloads}), resends ${report.resends}, syncs ${report.syncs} (gap syncs ${report.gapSyncs}), duplicate frames dropped by clients ${report.duplicatesDroppedByClients}`,
    `audit: ${report.audit.syncs} raw syncs returned ${report.audit.messages} messages`,
    `injected faults ${f.total}: $disconnect dropped ${f.disconnectsDropped}, posts 410 ${f.postsGone}, posts LimitExceeded ${f.postsLimitExceeded}, posts delayed ${f.postsDelayed}, DynamoDB throttled ${f.dynamoThrottled}, SQS batches twice ${f.sqsDuplicated}, connections killed ${f.connectionsKilled}`,
    `lost ${c.lost}, duplicated ${c.duplicated}, out of order ${c.outOfOrder}, unexpected ${c.unexpected}, acked but not stored ${c.ackedNotStored}, failed but stored ${c.failedButStored}, log defects ${c.logDefects}`,
    `took ${report.seconds} s`,
    ...c.problems.map((problem) => `  problem: ${problem}`),
  ].join('\n');
}
