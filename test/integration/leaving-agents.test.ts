import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, type LocalStack } from '../../local/stack';
import { RawClient, postJson, type Frame } from '../../local/tools/raw-client';
import { REQUEUED_NOTICE } from '../../functions/services/routing';
import { budget } from '../support/setup';
import { NO_SCHEDULE_MS, routingQueueDrained, useLocalStack } from '../support/local-stack';
import { connectOnline, createAgent as createTestAgent, loginAdmin } from '../support/agents';
import { waitFor } from '../support/wait';

/**
 * Agents who leave (docs/routing.md "Abandoned chats and agents who leave"): an agent whose
 * last connection ends goes away after AGENT_LEAVE_GRACE_SECONDS unless it reconnects; signing
 * out is immediate. Presence keeps its default 60 s grace and the scheduled sweep does not run
 * on its own here, so only the leave path can take an agent out of routing in these tests.
 */
const LEAVE_GRACE_SECONDS = 2;
let stack: LocalStack;
let adminToken: string;

useLocalStack(
  {
    skills: ['leave-a', 'leave-b', 'leave-c', 'leave-d'],
    web: false,
    env: { AGENT_LEAVE_GRACE_SECONDS: String(LEAVE_GRACE_SECONDS) },
    scheduleIntervalMs: NO_SCHEDULE_MS,
  },
  async (started) => {
    stack = started;
    adminToken = await loginAdmin(stack);
  },
);

const PASSWORD = 'leaving-agents-1';

/** An agent of its own skill, so each test routes only to the agent it made. */
const createAgent = (id: string, skill: string): Promise<void> =>
  createTestAgent(stack, adminToken, { id, skill, password: PASSWORD, capacity: 2 });

async function login(id: string): Promise<{ token: string; refreshToken: string }> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: `${id}@example.com`, password: PASSWORD });
  return { token: body.token as string, refreshToken: body.refreshToken as string };
}

const agentOnline = (token: string): Promise<RawClient> => connectOnline(stack, token);

async function customerStarts(skill: string): Promise<{ client: RawClient; conversationId: string }> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: `Customer of ${skill}` });
  const client = await RawClient.connect(stack.wsUrl, body.token as string);
  await client.request({ action: 'sync' }, ['synced']);
  const started = await client.request({ action: 'start', skill, text: 'Hello?', clientMsgId: 'hello' }, ['conversation']);
  return { client, conversationId: (started.conversation as { id: string }).id };
}

const statusOf = async (agentId: string) => (await stack.wiring().ports.presence.get(agentId))?.status;
const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;
/** The customer is told nobody is online: by the off-hours notice at start, or else by the router. */
const noAgentNotice = (conversationId: string) => (frame: Frame) =>
  about('message', conversationId)(frame) &&
  (frame.clientMsgId === `off-hours:${conversationId}` || String(frame.clientMsgId).startsWith(`notice:no-agent:${conversationId}`));

describe('agents who leave', () => {
  it(
    'an agent who closes the tab goes away within the grace and is routed no new chats',
    async () => {
      await createAgent('leaver', 'leave-a');
      const agent = await agentOnline((await login('leaver')).token);
      expect(await statusOf('leaver')).toBe('online');

      await agent.close();
      // Presence alone would keep it online for 60 s more: this is the leave grace at work.
      await waitFor(async () => (await statusOf('leaver')) === 'away', {
        timeoutMs: LEAVE_GRACE_SECONDS * 1000 + budget(3),
        message: 'the agent who closed its tab is away',
      });

      const customer = await customerStarts('leave-a');
      // Nobody serving the skill is online any more: the customer is told so and waits.
      await customer.client.waitFor(noAgentNotice(customer.conversationId));
      expect(customer.client.frames.filter(about('assigned', customer.conversationId))).toEqual([]);
      await customer.client.close();
    },
    budget(12, LEAVE_GRACE_SECONDS * 1000),
  ); // login, 3 connect steps, close, the grace and its trigger, customer (4 steps), notice

  it(
    'an agent who reloads within the grace stays online, without a status change, and keeps being routed',
    async () => {
      await createAgent('reloader', 'leave-b');
      const { token } = await login('reloader');
      const first = await agentOnline(token);
      await first.close();
      const second = await agentOnline(token);

      // The delayed `agent.left` has come and gone: it found the newer connection.
      await waitFor(() => routingQueueDrained(stack), {
        timeoutMs: LEAVE_GRACE_SECONDS * 1000 + budget(3),
        message: 'routing queue drained',
      });
      expect(await statusOf('reloader')).toBe('online');
      expect(second.frames.filter((frame) => frame.type === 'status' && frame.status !== 'online')).toEqual([]);

      const customer = await customerStarts('leave-b');
      expect(await customer.client.waitFor(about('assigned', customer.conversationId))).toMatchObject({ agent: { id: 'reloader' } });
      await Promise.all([customer.client.close(), second.close()]);
    },
    budget(14, LEAVE_GRACE_SECONDS * 1000),
  ); // login, 2 connects (3 steps each), the grace and its trigger, customer (4 steps), assignment

  it(
    'signing out takes the agent offline at once and puts its chats back in the queue',
    async () => {
      await createAgent('signer', 'leave-c');
      const { token, refreshToken } = await login('signer');
      const agent = await agentOnline(token);
      const customer = await customerStarts('leave-c');
      await customer.client.waitFor(about('assigned', customer.conversationId));

      const signedOut = await postJson(`${stack.httpUrl}/v1/auth/logout`, { refreshToken });
      expect(signedOut).toMatchObject({ status: 200, body: { signedOut: true } });
      // No grace: offline as soon as the request returns.
      expect(await statusOf('signer')).toBe('offline');
      const requeued = await customer.client.waitFor(
        (frame) => about('message', customer.conversationId)(frame) && frame.text === REQUEUED_NOTICE,
      );
      expect(requeued).toMatchObject({ sender: { role: 'system' } });
      await waitFor(() => agent.closeCode !== undefined, { timeoutMs: budget(1), message: 'the signed-out socket closed' });
      await customer.client.close();
    },
    budget(12),
  ); // login, connect (3 steps), customer (4 steps), assignment, logout, requeue, socket close

  it(
    "the chat CLI's /quit signs the agent out at once",
    async () => {
      await createAgent('quitter', 'leave-d');
      const cli = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/chat.ts',
          'agent',
          'quitter@example.com',
          '--password',
          PASSWORD,
          '--http',
          stack.httpUrl,
          '--ws',
          stack.wsUrl,
        ],
        { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
      );
      const exited = once(cli, 'exit');
      let output = '';
      cli.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      try {
        await waitFor(async () => output.includes('Status: online') && (await statusOf('quitter')) === 'online', {
          timeoutMs: budget(6),
          message: 'the CLI agent is online',
        });
        cli.stdin.write('/quit\n');
        const [code] = await exited;
        expect(code).toBe(0);
        // Offline as soon as the CLI is gone, not away after the leave grace.
        expect(await statusOf('quitter')).toBe('offline');
      } finally {
        cli.kill();
      }
    },
    budget(10),
  ); // the CLI starting (tsx), its login, connect, sync and status, then /quit: status, logout, exit
});
