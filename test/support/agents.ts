import { expect } from 'vitest';
import type { LocalStack } from '../../local/stack';
import { RawClient, postJson } from '../../local/tools/raw-client';

/** An agent a test creates for itself: `<id>@example.com`, one skill of its own, so routing reaches only it. */
export interface TestAgent {
  readonly id: string;
  readonly skill: string;
  readonly password: string;
  readonly capacity: number;
}

/** Creates the agent as the admin (the management API's POST /v1/agents); fails the test unless it is created. */
export async function createAgent(stack: LocalStack, adminToken: string, agent: TestAgent): Promise<void> {
  const { id, skill, password, capacity } = agent;
  const created = await postJson(
    `${stack.httpUrl}/v1/agents`,
    { id, email: `${id}@example.com`, name: id, password, skills: [skill], capacity },
    adminToken,
  );
  expect(created.status).toBe(201);
}

/** Connects as the console does: sync, then say `online`. */
export async function connectOnline(stack: LocalStack, token: string): Promise<RawClient> {
  const client = await RawClient.connect(stack.wsUrl, token);
  await client.request({ action: 'sync' }, ['synced']);
  await client.request({ action: 'status', status: 'online' }, ['status']);
  return client;
}

/** Creates the agent, logs it in and connects it online. */
export async function agentOnline(stack: LocalStack, adminToken: string, agent: TestAgent): Promise<RawClient> {
  await createAgent(stack, adminToken, agent);
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: `${agent.id}@example.com`, password: agent.password });
  return connectOnline(stack, body.token as string);
}

/** The demo admin's access token (the seeded admin@example.com), for the management API. */
export async function loginAdmin(stack: LocalStack): Promise<string> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' });
  return body.token as string;
}
