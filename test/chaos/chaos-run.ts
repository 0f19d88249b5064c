import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import { MemoryStore, ParleyClient, type WebSocketConstructor } from '../../clients/parley-client/src/index';
import { hashPassword } from '../../functions/adapters/crypto/password-hasher';
import { DynamoAgentDirectory } from '../../functions/adapters/dynamodb/agent-directory';
import { DynamoConversationStore } from '../../functions/adapters/dynamodb/conversation-store';
import { ulidGenerator } from '../../functions/adapters/system/clock';
import { localDynamoClient } from '../../local/dynamodb/dynalite-server';
import type { FaultCounts } from '../../local/faults/fault-injector';
import type { FaultSettings } from '../../local/faults/fault-settings';
import { seededRandom } from '../../local/faults/random';
import { LOCAL_TABLE, startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson } from '../../local/tools/raw-client';
import { check, type CheckResult, type DeviceRecord, type SendRecord, type StoredMessage } from './checker';

export interface ChaosOptions {
  readonly conversations: number;
  /** Messages to send in total, split evenly over the conversations (both directions). */
  readonly messages: number;
  /** Share of participants that use a second device. */
  readonly secondDeviceShare: number;
  /** Chance per device per second of an app reload (a new client on the same storage). */
  readonly reloadPerSecond: number;
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
  /** Give up waiting for sends to settle and devices to converge after this long. */
  readonly settleTimeoutMs: number;
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
};

export interface ChaosReport {
  readonly conversations: number;
  readonly participants: number;
  readonly devices: number;
  readonly messagesSent: { readonly byCustomers: number; readonly byAgents: number };
  readonly disconnects: number;
  readonly reloads: number;
  readonly resends: number;
  readonly gapSyncs: number;
  readonly duplicatesDroppedByClients: number;
  readonly injectedFaults: FaultCounts & { readonly total: number };
  /** Sends reported failed, by error code (definitive refusals are legitimate; they must be explained). */
  readonly failedByCode: Readonly<Record<string, number>>;
  readonly check: CheckResult;
  readonly seconds: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const WsConstructor = WebSocket as unknown as WebSocketConstructor;
/** The chaos run is about faults, not abuse limits: lift the security engineer's rate limits. */
const LIFTED_RATE_LIMITS = {
  RATE_LIMIT_MESSAGES: '1000000/60',
  RATE_LIMIT_STARTS: '1000000/3600',
  RATE_LIMIT_GUEST_TOKENS: '1000000/60',
  RATE_LIMIT_LOGINS: '1000000/60',
};
const AGENT_CAPACITY = 2;
const AGENT_PASSWORD = 'chaos-agent-password';

/** One app install: a client that can be reloaded (a new instance on the same storage). */
class Device {
  readonly storage = new MemoryStore();
  readonly received = new Map<string, { seq: number; messageId: string }[]>();
  client: ParleyClient;
  private retired = { disconnects: 0, resends: 0, gapSyncs: 0, duplicatesDropped: 0 };
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
  readonly devices: Device[];
}

async function retrying<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`chaos: timed out: ${what}`);
    await sleep(100);
  }
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const write = options.log ?? (() => undefined);
  const log = (line: string) => write(`${((Date.now() - started) / 1000).toFixed(1)} s ${line}`);
  const random = seededRandom(options.seed);
  const stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: false,
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
  const pacer = new Pacer(options.maxUnresolved);
  try {
    const sends = new Map<string, SendRecord>();
    const makeClient = (token: string) => (device: Device) => {
      const client = new ParleyClient({
        url: stack.wsUrl,
        token: () => token,
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
    const addDevices = (userId: string, token: string, role: Participant['role']): Participant => {
      const count = random() < options.secondDeviceShare ? 2 : 1;
      const own = Array.from({ length: count }, (_, index) => new Device(`${role}:${userId}#${index + 1}`, userId, makeClient(token)));
      devices.push(...own);
      return { userId, role, devices: own };
    };

    // Agents: enough capacity for every conversation.
    const directory = new DynamoAgentDirectory(DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb)), LOCAL_TABLE);
    const passwordHash = await hashPassword(AGENT_PASSWORD);
    const agentCount = Math.ceil(options.conversations / AGENT_CAPACITY);
    const agents: Participant[] = [];
    for (let index = 0; index < agentCount; index += 1) {
      const email = `chaos.agent${index}@example.com`;
      await directory.put({
        id: `chaos-agent-${index}`,
        email,
        name: `Agent ${index}`,
        role: 'agent',
        skills: [],
        capacity: AGENT_CAPACITY,
        passwordHash,
      });
      const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: AGENT_PASSWORD });
      if (login.status !== 200) throw new Error(`chaos: agent login answered ${login.status}: ${JSON.stringify(login.body)}`);
      agents.push(addDevices(`chaos-agent-${index}`, login.body.token as string, 'agent'));
    }
    const customers: Participant[] = [];
    for (let index = 0; index < options.conversations; index += 1) {
      const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: `Customer ${index}` });
      if (guest.status !== 201) throw new Error(`chaos: guest token answered ${guest.status}: ${JSON.stringify(guest.body)}`);
      customers.push(addDevices(guest.body.user.id as string, guest.body.token as string, 'customer'));
    }
    await Promise.all(devices.map((device) => device.client.connect()));
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
    await retrying(
      'every conversation assigned',
      async () => {
        for (const agent of agents) {
          const token = await agentToken(stack, agent);
          const listed = await getJson(`${stack.httpUrl}/v1/conversations?status=assigned`, token);
          if (listed.status !== 200) continue;
          for (const summary of listed.body.conversations as { id: string }[]) agentOf.set(summary.id, agent);
        }
        return agentOf.size >= customers.length ? true : undefined;
      },
      options.settleTimeoutMs,
    );
    log(`assigned: ${agentOf.size} conversations`);

    // Traffic both ways, with reloads on the side.
    const perConversation = Math.ceil((options.messages - customers.length) / customers.length);
    let byCustomers = customers.length;
    let byAgents = 0;
    let trafficDone = false;
    const progress = setInterval(() => {
      const acked = [...sends.values()].filter((send) => send.outcome.kind === 'acked').length;
      log(`traffic: ${sends.size} accepted, ${acked} acked, ${pacer.unresolved} unresolved`);
    }, 30_000);
    progress.unref();
    const reloader = (async () => {
      while (!trafficDone) {
        await sleep(250);
        const chance = options.reloadPerSecond / 4;
        await Promise.all(devices.filter(() => random() < chance).map((device) => device.reload()));
      }
    })();
    await Promise.all(
      customers.map(async (customer, index) => {
        const conversationId = conversationOf.get(customer)!;
        const agent = agentOf.get(conversationId)!;
        for (let n = 0; n < perConversation; n += 1) {
          const fromCustomer = random() < 0.5;
          const sender = fromCustomer ? customer : agent;
          const device = pickDevice(sender);
          await pacer.room(device.deviceId);
          if (fromCustomer) byCustomers += 1;
          else byAgents += 1;
          accept(sender, conversationId, `message ${n} in conversation ${index}`, false, device);
          await sleep(Math.floor(random() * options.maxPauseMs));
        }
      }),
    );
    trafficDone = true;
    clearInterval(progress);
    await reloader;
    log(`traffic: ${byCustomers + byAgents} sends accepted`);

    // Every accepted send ends acked or failed.
    await retrying(
      'every send acked or failed',
      async () => ([...sends.values()].every((send) => send.outcome.kind !== 'pending') ? true : undefined),
      options.settleTimeoutMs,
    ).catch(() => {
      const stuck = devices.filter((device) => device.client.pending().length > 0);
      log(
        `some sends never settled; the checker counts them (${stuck.map((d) => `${d.deviceId} ${d.client.state} ${d.client.pending().length}`).join(', ')})`,
      );
    });
    log('sends settled');

    // Every device syncs until it holds each of its conversations up to the server's last seq.
    const store = new DynamoConversationStore(
      DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb)),
      LOCAL_TABLE,
      ulidGenerator(),
    );
    const logs = new Map<string, StoredMessage[]>();
    const participants = new Map<string, string[]>();
    for (const customer of customers) {
      const conversationId = conversationOf.get(customer)!;
      participants.set(conversationId, [customer.userId, agentOf.get(conversationId)!.userId]);
      logs.set(conversationId, await readLog(store, conversationId));
    }
    const lagging = () =>
      devices.filter((device) =>
        [...logs].some(
          ([id, messages]) => participants.get(id)!.includes(device.userId) && (device.client.cursor(id) ?? 0) < messages.length,
        ),
      );
    await retrying(
      'every device caught up',
      async () => {
        const behind = lagging();
        for (const device of behind) if (device.client.state === 'ready') device.client.resync();
        return behind.length === 0 ? true : undefined;
      },
      options.settleTimeoutMs,
    ).catch(() => log(`${lagging().length} devices never caught up; the checker counts what they miss`));

    log('devices caught up');
    const injected = stack.faults!.counts();
    const result = check({ logs, participants, devices: devices.map((device) => device.record()), sends: [...sends.values()] });
    const failedByCode: Record<string, number> = {};
    for (const send of sends.values())
      if (send.outcome.kind === 'failed') failedByCode[send.outcome.code] = (failedByCode[send.outcome.code] ?? 0) + 1;
    const totals = devices.map((device) => device.totals());
    const sum = (pick: (t: (typeof totals)[number]) => number) => totals.reduce((total, t) => total + pick(t), 0);
    return {
      conversations: customers.length,
      participants: customers.length + agents.length,
      devices: devices.length,
      messagesSent: { byCustomers, byAgents },
      disconnects: sum((t) => t.disconnects),
      reloads: devices.reduce((total, device) => total + device.reloads, 0),
      resends: sum((t) => t.resends),
      gapSyncs: sum((t) => t.gapSyncs),
      duplicatesDroppedByClients: sum((t) => t.duplicatesDropped),
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

/** Accepted sends not yet resolved, overall and per device, and a wait for room under both limits. */
class Pacer {
  private readonly deviceOf = new Map<string, string>();
  private readonly perDevice = new Map<string, number>();

  constructor(private readonly limits: ChaosOptions['maxUnresolved']) {}

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
    this.deviceOf.delete(clientMsgId);
    this.perDevice.set(deviceId, (this.perDevice.get(deviceId) ?? 1) - 1);
  }

  async room(deviceId: string): Promise<void> {
    while (this.deviceOf.size >= this.limits.overall || (this.perDevice.get(deviceId) ?? 0) >= this.limits.perDevice) await sleep(20);
  }
}

const agentTokens = new WeakMap<Participant, string>();
async function agentToken(stack: LocalStack, agent: Participant): Promise<string> {
  const cached = agentTokens.get(agent);
  if (cached) return cached;
  const index = agent.userId.replace('chaos-agent-', '');
  const login = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: `chaos.agent${index}@example.com`, password: AGENT_PASSWORD });
  if (login.status !== 200) throw new Error(`chaos: agent login answered ${login.status}`);
  agentTokens.set(agent, login.body.token as string);
  return login.body.token as string;
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

/** The counts a run prints. */
export function formatReport(report: ChaosReport): string {
  const c = report.check;
  const f = report.injectedFaults;
  return [
    `conversations ${report.conversations}, participants ${report.participants}, devices ${report.devices}`,
    `messages: accepted ${c.accepted} (customers ${report.messagesSent.byCustomers}, agents ${report.messagesSent.byAgents}), acked ${c.acked}, failed ${c.failed}, unresolved ${c.unresolved}, stored ${c.storedMessages}`,
    ...(c.failed > 0
      ? [
          `failed sends by code: ${Object.entries(report.failedByCode)
            .map(([code, count]) => `${code} ${count}`)
            .join(', ')}`,
        ]
      : []),
    `disconnects ${report.disconnects} (app reloads ${report.reloads}), resends ${report.resends}, gap syncs ${report.gapSyncs}, duplicate frames dropped by clients ${report.duplicatesDroppedByClients}`,
    `injected faults ${f.total}: $disconnect dropped ${f.disconnectsDropped}, posts 410 ${f.postsGone}, posts LimitExceeded ${f.postsLimitExceeded}, posts delayed ${f.postsDelayed}, DynamoDB throttled ${f.dynamoThrottled}, SQS batches twice ${f.sqsDuplicated}, connections killed ${f.connectionsKilled}`,
    `lost ${c.lost}, duplicated ${c.duplicated}, out of order ${c.outOfOrder}, acked but not stored ${c.ackedNotStored}, log defects ${c.logDefects}`,
    `took ${report.seconds} s`,
    ...c.problems.map((problem) => `  problem: ${problem}`),
  ].join('\n');
}
