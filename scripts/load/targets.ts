import { LoadSocket, type Frame } from './load-socket';
import { mapBounded } from '../../functions/shared/bounded-pool';

/** One conversation under load: its customer's socket and its agent's (shared by the agent's conversations). */
export interface LoadConversation {
  readonly id: string;
  readonly customer: LoadSocket;
  readonly agent: LoadSocket;
}

export interface TargetSetup {
  readonly conversations: readonly LoadConversation[];
  /** Every socket the setup opened (customers and agents). */
  readonly sockets: readonly LoadSocket[];
  readonly agents: number;
  /** Conversations that could not be set up, by reason (a protocol error code or `timeout`, `http_<status>`, ...). */
  readonly failures: Readonly<Record<string, number>>;
}

/** What the driver runs the load against: Parley (local or deployed) or the baseline relay. */
export interface LoadTarget {
  readonly name: 'parley' | 'relay';
  /** Opens idle customer connections (signed in and synced, nothing more). */
  openIdle(count: number): Promise<LoadSocket[]>;
  /** Opens the conversations, each with a customer and an agent online. */
  setup(conversations: number, perAgent: number): Promise<TargetSetup>;
  /** Closes the conversations, takes the agents offline and removes them; closes every socket. */
  teardown(): Promise<void>;
}

export class LoadSetupError extends Error {
  constructor(
    message: string,
    /** A short reason to count it under: a protocol error code, `http_<status>`, `timeout`. */
    readonly reason = 'setup',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LoadSetupError';
  }
}

/** The reason a failed setup step is counted under. */
export function failureReason(error: unknown): string {
  if (error instanceof LoadSetupError) return error.reason;
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out/.test(message)) return 'timeout';
  if (/closed/.test(message)) return 'connection_closed';
  if (/upgrade refused: HTTP (\d+)/.test(message)) return `upgrade_${/HTTP (\d+)/.exec(message)![1]}`;
  return 'connect_failed';
}

const codeOf = (frame: Frame) => String(frame.code ?? 'error');

// biome-ignore lint/suspicious/noExplicitAny: the load driver reads whatever JSON body the API returns.
async function http(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, body: parsed };
}

const isError = (frame: Frame) => frame.type === 'error';

export interface ParleyTargetOptions {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly admin: { readonly email: string; readonly password: string };
  /** The skill the run's agents serve and its customers start in (configured by the run). */
  readonly skill: string;
  /** One request or frame round trip may take this long before the setup gives up. */
  readonly stepMs: number;
  /** Setup requests in parallel. */
  readonly concurrency: number;
  /**
   * Close the run's conversations and delete its agents at the end: on a deployed stack. A
   * local stack in its own child process is thrown away whole, which is quicker.
   */
  readonly cleanUp: boolean;
}

/**
 * Parley over its real protocol: the run's agents are created by the admin and sign in
 * (`POST /v1/auth/login`), customers take guest tokens (`POST /v1/auth/guest`), everyone
 * connects with `?token=`, syncs, agents go online and beat, customers `start`.
 */
export function parleyTarget(options: ParleyTargetOptions): LoadTarget {
  const run = `load-${Date.now().toString(36)}`;
  const sockets: LoadSocket[] = [];
  const conversations: LoadConversation[] = [];
  const agentIds: string[] = [];
  const heartbeats: NodeJS.Timeout[] = [];
  let adminToken: string | undefined;
  const step = options.stepMs;

  const connect = async (token: string): Promise<LoadSocket> => {
    const socket = await LoadSocket.connect(`${options.wsUrl}?token=${encodeURIComponent(token)}`, step);
    sockets.push(socket);
    return socket;
  };
  const synced = async (socket: LoadSocket, what: string): Promise<Frame> => {
    const session = socket.waitFor((frame) => frame.type === 'session' || isError(frame), step, `${what}'s session`);
    const done = await socket.request({ action: 'sync' }, (frame) => frame.type === 'synced' || isError(frame), step, `${what}'s sync`);
    if (isError(done)) throw new LoadSetupError(`${what}: sync refused: ${JSON.stringify(done)}`, codeOf(done));
    return session;
  };
  const guest = async (name: string): Promise<LoadSocket> => {
    const token = await http('POST', `${options.httpUrl}/v1/auth/guest`, { name });
    if (token.status !== 200 && token.status !== 201) {
      throw new LoadSetupError(`guest token for ${name}: HTTP ${token.status} ${JSON.stringify(token.body)}`, `http_${token.status}`);
    }
    const socket = await connect(token.body.token);
    await synced(socket, name);
    return socket;
  };

  return {
    name: 'parley',
    async openIdle(count) {
      return mapBounded(
        Array.from({ length: count }, (_, index) => index),
        options.concurrency,
        (index) => guest(`Idle ${run} ${index}`),
      );
    },
    async setup(count, perAgent) {
      const login = await http('POST', `${options.httpUrl}/v1/auth/login`, options.admin);
      if (login.status !== 200)
        throw new LoadSetupError(`admin sign-in (${options.admin.email}): HTTP ${login.status} ${JSON.stringify(login.body)}`);
      adminToken = login.body.token as string;
      const skill = await http('PUT', `${options.httpUrl}/v1/skills/${options.skill}`, { names: { en: 'Load test' } }, adminToken);
      if (skill.status !== 200 && skill.status !== 201)
        throw new LoadSetupError(`configuring skill ${options.skill}: HTTP ${skill.status} ${JSON.stringify(skill.body)}`);

      const agentCount = Math.ceil(count / perAgent);
      const password = `${run}-password`;
      const agentSockets = new Map<string, LoadSocket>();
      await mapBounded(
        Array.from({ length: agentCount }, (_, index) => `${run}-a${index}`),
        options.concurrency,
        async (id) => {
          const email = `${id}@example.com`;
          const created = await http(
            'POST',
            `${options.httpUrl}/v1/agents`,
            { id, email, name: id, password, skills: [options.skill], capacity: perAgent },
            adminToken,
          );
          if (created.status !== 201)
            throw new LoadSetupError(`creating agent ${id}: HTTP ${created.status} ${JSON.stringify(created.body)}`);
          agentIds.push(id);
          const signIn = await http('POST', `${options.httpUrl}/v1/auth/login`, { email, password });
          if (signIn.status !== 200) throw new LoadSetupError(`agent ${id} sign-in: HTTP ${signIn.status} ${JSON.stringify(signIn.body)}`);
          const socket = await connect(signIn.body.token);
          const session = await synced(socket, id);
          const status = await socket.request(
            { action: 'status', status: 'online' },
            (frame) => frame.type === 'status' || isError(frame),
            step,
            `${id} online`,
          );
          if (isError(status)) throw new LoadSetupError(`agent ${id} could not go online: ${JSON.stringify(status)}`);
          // Beat at half the interval the server asks for, so a slow moment does not take the agent offline.
          const beatMs = (Number(session.heartbeatSeconds) || 30) * 500;
          heartbeats.push(setInterval(() => socket.send({ action: 'heartbeat', ts: Date.now() }), beatMs));
          agentSockets.set(id, socket);
        },
      );

      // Customers start one after another per lane; each waits until an agent is assigned. A
      // customer that cannot is counted by reason and the run goes on with the others.
      const failures: Record<string, number> = {};
      await mapBounded(
        Array.from({ length: count }, (_, index) => index),
        options.concurrency,
        (index) =>
          startCustomer(index).catch((error: unknown) => {
            const reason = failureReason(error);
            failures[reason] = (failures[reason] ?? 0) + 1;
            if (failures[reason] === 1)
              console.error(
                `load: a conversation could not be set up (${reason}): ${error instanceof Error ? error.message : String(error)}`,
              );
          }),
      );
      if (conversations.length === 0) throw new LoadSetupError(`no conversation could be set up: ${JSON.stringify(failures)}`);
      return { conversations: [...conversations], sockets: [...sockets], agents: agentCount, failures };

      async function startCustomer(index: number): Promise<void> {
        const name = `Customer ${run} ${index}`;
        const customer = await guest(name);
        const reply = await customer.request(
          { action: 'start', skill: options.skill, text: `Hello from ${name}`, clientMsgId: `${run}-c${index}-start` },
          (frame) => frame.type === 'conversation' || isError(frame),
          step,
          `${name}'s start`,
        );
        if (isError(reply)) throw new LoadSetupError(`${name}: start refused: ${JSON.stringify(reply)}`, codeOf(reply));
        const id = (reply.conversation as { id: string }).id;
        // Routing is asynchronous (the queue, the router): allow a step per conversation ahead.
        const assigned = await customer.waitFor(
          (frame) => frame.type === 'assigned' && frame.conversationId === id,
          step * (2 + Math.ceil(count / options.concurrency)),
          `${name}'s assignment`,
        );
        const agentId = (assigned.agent as { id: string }).id;
        const agent = agentSockets.get(agentId);
        if (!agent) throw new LoadSetupError(`${name} was assigned to ${agentId}, not one of the run's agents`, 'foreign_agent');
        conversations.push({ id, customer, agent });
      }
    },
    async teardown() {
      for (const timer of heartbeats) clearInterval(timer);
      if (!options.cleanUp) {
        await Promise.all(sockets.map((socket) => socket.close()));
        return;
      }
      const stillOpen = conversations.filter((conversation) => !conversation.agent.closed);
      await mapBounded(stillOpen, options.concurrency, (conversation) =>
        conversation.agent
          .request(
            { action: 'close', conversationId: conversation.id, reason: 'load test done' },
            (frame) => (frame.type === 'closed' && frame.conversationId === conversation.id) || isError(frame),
            step,
            'close',
          )
          .catch(() => undefined),
      );
      await Promise.all(sockets.map((socket) => socket.close()));
      if (adminToken) {
        const token = adminToken;
        await mapBounded(agentIds, options.concurrency, (id) =>
          http('DELETE', `${options.httpUrl}/v1/agents/${id}`, undefined, token).catch(() => undefined),
        );
      }
    },
  };
}

/** The baseline relay (relay-server.ts): the same sockets and conversations, joined by a frame. */
export function relayTarget(options: { readonly wsUrl: string; readonly stepMs: number; readonly concurrency: number }): LoadTarget {
  const sockets: LoadSocket[] = [];
  const connect = async (user: string) => {
    const socket = await LoadSocket.connect(`${options.wsUrl}/?user=${encodeURIComponent(user)}`, options.stepMs);
    sockets.push(socket);
    return socket;
  };
  const join = (socket: LoadSocket, conversationId: string) =>
    socket.request(
      { action: 'join', conversationId },
      (frame) => frame.type === 'joined' && frame.conversationId === conversationId,
      options.stepMs,
      'join',
    );
  return {
    name: 'relay',
    openIdle(count) {
      return mapBounded(
        Array.from({ length: count }, (_, index) => index),
        options.concurrency,
        (index) => connect(`idle-${index}`),
      );
    },
    async setup(count, perAgent) {
      const agentCount = Math.ceil(count / perAgent);
      const agents = await mapBounded(
        Array.from({ length: agentCount }, (_, index) => index),
        options.concurrency,
        (index) => connect(`agent-${index}`),
      );
      const conversations = await mapBounded(
        Array.from({ length: count }, (_, index) => index),
        options.concurrency,
        async (index) => {
          const id = `relay-${index}`;
          const customer = await connect(`customer-${index}`);
          const agent = agents[Math.floor(index / perAgent)]!;
          await join(customer, id);
          await join(agent, id);
          return { id, customer, agent };
        },
      );
      return { conversations, sockets: [...sockets], agents: agentCount, failures: {} };
    },
    async teardown() {
      await Promise.all(sockets.map((socket) => socket.close()));
    },
  };
}
