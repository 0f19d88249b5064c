import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { postJson } from '../../local/tools/raw-client';
import { type CanarySocket, CanaryStepError, runRoundTrip } from '../../scripts/canary/round-trip';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';

/** The Synthetics canary's own check (scripts/canary/round-trip.ts), run against the local stack. */
let stack: LocalStack;
const CANARY_SKILL = 'canary';
const canaryAgent = { email: 'canary@example.com', password: 'canary-secret-1' };
const openSocket = (url: string) => new WebSocket(url) as unknown as CanarySocket;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, skills: [CANARY_SKILL] });
  // What the runbook has an operator do once: an agent serving the canary skill alone.
  const admin = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
  const created = await postJson(
    `${stack.httpUrl}/v1/agents`,
    { ...canaryAgent, name: 'Parley canary', skills: [CANARY_SKILL], capacity: 1 },
    admin.body.token as string,
  );
  expect(created.status).toBe(201);
}, STACK_START_MS);

afterAll(async () => {
  await stack?.stop();
});

describe('the canary round trip', () => {
  it(
    'chats with the canary agent, echoes the nonce back to the customer, closes the conversation and signs the agent out',
    async () => {
      const options = {
        httpUrl: stack.httpUrl,
        wsUrl: stack.wsUrl,
        agent: canaryAgent,
        skill: CANARY_SKILL,
        openSocket,
        stepTimeoutMs: STEP_MS,
      };
      const first = await runRoundTrip({ ...options, nonce: 'first' });
      expect(first.roundTripMs).toBeGreaterThan(0);
      // Run again, as the schedule does: the first run left the agent free and nothing open.
      const second = await runRoundTrip({ ...options, nonce: 'second' });
      expect(second.conversationId).not.toBe(first.conversationId);
    },
    budget(30),
  );

  it(
    'fails, naming the step, when the canary agent cannot sign in',
    async () => {
      const failure = runRoundTrip({
        httpUrl: stack.httpUrl,
        wsUrl: stack.wsUrl,
        agent: { ...canaryAgent, password: 'wrong-password' },
        skill: CANARY_SKILL,
        openSocket,
        stepTimeoutMs: STEP_MS,
      });
      await expect(failure).rejects.toBeInstanceOf(CanaryStepError);
      await expect(failure).rejects.toThrow(/^agent sign-in: HTTP 401/);
    },
    budget(3),
  );

  it(
    'fails when the WebSocket endpoint is wrong',
    async () => {
      const failure = runRoundTrip({
        httpUrl: stack.httpUrl,
        wsUrl: `${stack.wsUrl}-missing`,
        agent: canaryAgent,
        skill: CANARY_SKILL,
        openSocket,
        stepTimeoutMs: STEP_MS,
      });
      await expect(failure).rejects.toThrow(/^agent connect: /);
    },
    budget(4),
  );
});
