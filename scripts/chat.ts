import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

/**
 * A small terminal chat client for the local stack (or any Parley deployment):
 *   npm run chat -- customer [--name Ann] [--skill billing]
 *   npm run chat -- agent agent.billing@example.com [--password parley-demo]
 * Lines you type are sent as messages. Agents: /use ID, /close, /online, /away, /list, /quit.
 * An agent's /quit (or Ctrl-D, Ctrl-C) signs out at once: `status offline`, then the session
 * ends; merely dropping the connection would leave the agent online until the leave grace.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    skill: { type: 'string' },
    password: { type: 'string', default: 'parley-demo' },
    http: { type: 'string', default: process.env.PARLEY_HTTP_URL ?? 'http://127.0.0.1:3000' },
    ws: { type: 'string', default: process.env.PARLEY_WS_URL ?? 'ws://127.0.0.1:3001/local' },
  },
});
const [role, email] = positionals;
if (role !== 'customer' && !(role === 'agent' && email)) {
  console.error('Usage: npm run chat -- customer [--name NAME] [--skill SKILL]\n       npm run chat -- agent EMAIL [--password PASSWORD]');
  process.exit(2);
}

// biome-ignore lint/suspicious/noExplicitAny: the CLI prints whatever fields a server frame carries.
type Frame = Record<string, any> & { type: string };
const cursors: Record<string, number> = {};
let current: string | undefined;
let socket: WebSocket | undefined;
let heartbeat: NodeJS.Timeout | undefined;
let sent = 0;
let quitting = false;
let signedIn = false;
/** The agent's current refresh token: signing out ends its session. */
let refreshToken: string | undefined;
/** Waiting for the server to confirm a status change (quitting). */
let onStatus: ((status: string) => void) | undefined;
/** How long quitting waits for `status offline` to be confirmed before signing out anyway. */
const QUIT_WAIT_MS = 3000;

const print = (line: string) => {
  process.stdout.write(`\r${line}\n> `);
};

async function token(): Promise<string> {
  const [path, body] =
    role === 'customer'
      ? ['/v1/auth/guest', { ...(values.name ? { name: values.name } : {}) }]
      : ['/v1/auth/login', { email, password: values.password }];
  const response = await fetch(`${values.http}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { token?: string; refreshToken?: string; error?: { message: string } };
  if (!response.ok || !json.token) throw new Error(json.error?.message ?? `HTTP ${response.status}`);
  refreshToken = json.refreshToken ?? refreshToken;
  return json.token;
}

const pending: string[] = [];

/** Sends now, or as soon as the (re)connection opens. */
function send(frame: Record<string, unknown>): void {
  const text = JSON.stringify(frame);
  if (socket?.readyState === WebSocket.OPEN) socket.send(text);
  else pending.push(text);
}

function show(frame: Frame): void {
  switch (frame.type) {
    case 'session':
      if (!signedIn) print(`Signed in as ${frame.user.name} (${frame.user.role}); ${frame.conversations.length} conversation(s).`);
      signedIn = true;
      for (const conversation of frame.conversations) if (conversation.status !== 'closed') current ??= conversation.id;
      break;
    case 'message':
      if ((cursors[frame.conversationId] ?? 0) >= frame.seq) return;
      cursors[frame.conversationId] = frame.seq;
      print(`[${frame.conversationId.slice(-6)} #${frame.seq}] ${frame.sender.name}: ${frame.text}`);
      break;
    case 'ack':
      cursors[frame.conversationId] = Math.max(cursors[frame.conversationId] ?? 0, frame.seq);
      current ??= frame.conversationId;
      break;
    case 'conversation':
      current ??= frame.conversation.id;
      print(`Conversation ${frame.conversation.id} is ${frame.conversation.status}.`);
      // A newly assigned conversation: fetch what the customer already wrote.
      if (role === 'agent' && cursors[frame.conversation.id] === undefined) {
        cursors[frame.conversation.id] = 0;
        send({ action: 'sync', cursors });
      }
      break;
    case 'assigned':
      if (role === 'agent') current = frame.conversationId;
      print(`${frame.agent.name} is handling conversation ${frame.conversationId}.`);
      break;
    case 'queued':
      print(`You are number ${frame.position} in the queue (about ${Math.ceil(frame.etaSeconds / 60)} min).`);
      break;
    case 'closed':
      print(`Conversation ${frame.conversationId} was closed by ${frame.by.role}.`);
      if (current === frame.conversationId) current = undefined;
      break;
    case 'typing':
      print(`${frame.sender.name} is typing...`);
      break;
    case 'status':
      print(`Status: ${frame.status}`);
      onStatus?.(String(frame.status));
      break;
    case 'error':
      print(`Error (${frame.code}): ${frame.message}`);
      break;
    case 'pong':
    case 'synced':
    case 'read':
      break;
    default:
      print(JSON.stringify(frame));
  }
}

async function connect(): Promise<void> {
  const jwt = await token();
  socket = new WebSocket(`${values.ws}?token=${encodeURIComponent(jwt)}`);
  socket.on('open', () => {
    socket?.send(JSON.stringify({ action: 'sync', cursors }));
    for (const text of pending.splice(0)) socket?.send(text);
    if (role === 'agent') send({ action: 'status', status: 'online' });
    heartbeat = setInterval(() => send({ action: 'heartbeat', ts: Date.now() }), 30_000);
  });
  socket.on('message', (data) => show(JSON.parse(data.toString()) as Frame));
  socket.on('unexpected-response', (_request, response) => {
    console.error(`Connection refused: HTTP ${response.statusCode}`);
    process.exit(1);
  });
  socket.on('close', (code) => {
    clearInterval(heartbeat);
    if (quitting) return;
    print(`Disconnected (${code}); reconnecting...`);
    setTimeout(() => void connect().catch((error: Error) => print(`Reconnect failed: ${error.message}`)), 1000);
  });
  socket.on('error', () => undefined);
}

/** Tells the server this agent is offline (its chats go back to the queue now) and waits for the echo, briefly. */
function goOffline(): Promise<void> {
  if (socket?.readyState !== WebSocket.OPEN) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, QUIT_WAIT_MS);
    onStatus = (status) => {
      if (status !== 'offline') return;
      clearTimeout(timer);
      resolve();
    };
    socket?.send(JSON.stringify({ action: 'status', status: 'offline' }));
  });
}

async function signOut(): Promise<void> {
  if (!refreshToken) return;
  const response = await fetch(`${values.http}/v1/auth/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken }),
  }).catch((error: Error) => ({ ok: false, status: error.message }));
  if (!response.ok) print(`Sign-out failed (${response.status}); the session ends when it expires.`);
}

/** Leaving: an agent signs out at once (offline, then the session ends) instead of just dropping the connection. */
async function quit(): Promise<void> {
  if (quitting) return;
  quitting = true;
  if (role === 'agent') {
    await goOffline();
    await signOut();
  }
  socket?.close();
  process.exit(0);
}

function command(line: string): void {
  const [name, arg] = line.slice(1).split(/\s+/);
  if (name === 'quit') void quit();
  else if (name === 'use' && arg) current = arg;
  else if (name === 'close' && current) send({ action: 'close', conversationId: current });
  else if (name === 'online' || name === 'away' || name === 'offline') send({ action: 'status', status: name });
  else if (name === 'list') print(`Current conversation: ${current ?? 'none'}`);
  else print('Commands: /use ID, /close, /online, /away, /offline, /list, /quit');
}

await connect();
const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const text = line.trim();
  if (!text) return;
  if (text.startsWith('/')) return command(text);
  const clientMsgId = `cli-${process.pid}-${++sent}`;
  if (role === 'customer' && !current) send({ action: 'start', ...(values.skill ? { skill: values.skill } : {}), text, clientMsgId });
  else if (current) send({ action: 'message', conversationId: current, clientMsgId, text });
  else print('No conversation yet: wait for one to be assigned, or /use ID.');
});
input.on('close', () => void quit());
process.on('SIGINT', () => void quit());
