import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoCannedResponseStore } from '../../functions/adapters/dynamodb/canned-response-store';
import { MAX_CANNED_RESPONSES } from '../../functions/domain/canned-responses';
import { localDynamoClient } from '../../local/dynamodb/dynalite-server';
import { DEMO_CANNED_RESPONSES } from '../../local/seed';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { deleteJson, getJson, postJson, putJson } from '../../local/tools/raw-client';
import { storedItems } from '../security/support';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

/**
 * The canned-response API on the local stack (docs/canned-responses.md), with the demo ones
 * seeded: what each role sees, what an admin's save and delete do, and that bad input is
 * refused with a clear message and changes nothing stored.
 */
let stack: LocalStack;
const tokens = { admin: '', supervisor: '', billingAgent: '', techAgent: '' };
const url = (id?: string) => `${stack.httpUrl}/v1/canned-responses${id === undefined ? '' : `/${id}`}`;

beforeAllOrFail(async () => {
  // Many saves by one admin: the settings-change limit is not what this file tests.
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, env: { RATE_LIMIT_SETTINGS_CHANGES: '10000/60' } });
  const login = async (email: string) =>
    (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'parley-demo' })).body.token as string;
  tokens.admin = await login('admin@example.com');
  tokens.supervisor = await login('supervisor@example.com');
  tokens.billingAgent = await login('agent.billing@example.com');
  tokens.techAgent = await login('agent.tech@example.com');
}, STACK_START_MS + budget(4));

afterAll(async () => {
  await stack?.stop();
});

const shortcutsSeenBy = async (token: string, skill?: string) => {
  const response = await getJson(skill ? `${url()}?skill=${skill}` : url(), token);
  expect(response.status).toBe(200);
  return (response.body.cannedResponses as Array<{ shortcut: string }>).map((entry) => entry.shortcut);
};

/** A refused request: the status, an error naming the problem, and nothing stored changed. */
async function expectRefused(request: () => Promise<{ status: number; body: unknown }>, status: number, message: string | RegExp) {
  const before = await storedItems(stack);
  const response = await request();
  expect(response.status).toBe(status);
  expect(response.body).toEqual({
    error: {
      code: expect.any(String),
      message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message),
    },
  });
  expect(await storedItems(stack)).toEqual(before);
}

const GLOBAL_DEMO = Object.values(DEMO_CANNED_RESPONSES)
  .filter((body) => body.skill === undefined)
  .map((body) => body.shortcut)
  .sort();

describe('reading', () => {
  it('agents see the global ones and their skills’; supervisors and admins every one', async () => {
    expect(await shortcutsSeenBy(tokens.billingAgent)).toEqual([...GLOBAL_DEMO, 'refund']);
    expect(await shortcutsSeenBy(tokens.supervisor)).toEqual([...GLOBAL_DEMO, 'refund']);
    expect(await shortcutsSeenBy(tokens.admin, 'tech')).toEqual(GLOBAL_DEMO);
    expect(await shortcutsSeenBy(tokens.techAgent, 'billing')).toEqual([...GLOBAL_DEMO, 'refund']);
  });

  it('an agent asking for a skill it does not serve is refused; a bad skill is a 400', async () => {
    const response = await getJson(`${url()}?skill=tech`, tokens.billingAgent);
    expect(response).toEqual({ status: 403, body: { error: { code: 'forbidden', message: 'You do not serve the skill tech' } } });
    expect((await getJson(`${url()}?skill=No!`, tokens.admin)).status).toBe(400);
  });

  it('customers and callers without a token are refused', async () => {
    const guest = (await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Ann' })).body.token as string;
    expect((await getJson(url(), guest)).status).toBe(403);
    expect((await getJson(url())).status).toBe(401);
  });
});

describe('an admin saves and deletes', () => {
  const body = { shortcut: 'tracking', title: 'Tracking link', text: 'Hi {customer.name}, your parcel: see the mail from {agent.name}.' };

  it('creates (201), replaces (200), and the agents of the skill see it', async () => {
    const created = await putJson(url('tracking'), { ...body, skill: 'tech' }, tokens.admin);
    expect(created.status).toBe(201);
    expect(created.body.cannedResponse).toMatchObject({ id: 'tracking', ...body, skill: 'tech', updatedBy: 'admin' });
    expect(await shortcutsSeenBy(tokens.techAgent)).toContain('tracking');
    expect(await shortcutsSeenBy(tokens.billingAgent)).not.toContain('tracking');

    const replaced = await putJson(url('tracking'), { ...body, title: 'Where is my parcel' }, tokens.admin);
    expect(replaced.status).toBe(200);
    // Now global: every agent sees it.
    expect(replaced.body.cannedResponse).not.toHaveProperty('skill');
    expect(await shortcutsSeenBy(tokens.billingAgent)).toContain('tracking');
  });

  it('a shortcut is unique within its scope, not across scopes', async () => {
    await expectRefused(
      () => putJson(url('hello-again'), { ...body, shortcut: 'hello' }, tokens.admin),
      400,
      'shortcut /hello is already used among the global canned responses (by "Greeting")',
    );
    await expectRefused(
      () => putJson(url('refund-2'), { ...body, shortcut: 'refund', skill: 'billing' }, tokens.admin),
      400,
      'shortcut /refund is already used in the skill billing',
    );
    expect((await putJson(url('refund-tech'), { ...body, shortcut: 'refund', skill: 'tech' }, tokens.admin)).status).toBe(201);
  });

  it('renaming frees the old shortcut for another response', async () => {
    expect((await putJson(url('tracking'), { ...body, shortcut: 'parcel' }, tokens.admin)).status).toBe(200);
    expect((await putJson(url('tracking-2'), body, tokens.admin)).status).toBe(201);
    expect(await shortcutsSeenBy(tokens.billingAgent)).toEqual(expect.arrayContaining(['parcel', 'tracking']));
  });

  it('deleting frees its shortcut; deleting again is a 404 and changes nothing', async () => {
    const deleted = await deleteJson(url('tracking-2'), tokens.admin);
    expect(deleted).toEqual({ status: 200, body: { deleted: 'tracking-2' } });
    expect(await shortcutsSeenBy(tokens.admin)).not.toContain('tracking');
    await expectRefused(() => deleteJson(url('tracking-2'), tokens.admin), 404, 'No canned response tracking-2');
    expect((await putJson(url('tracking-3'), body, tokens.admin)).status).toBe(201);
  });
});

describe('bad input is refused with a clear message and changes nothing', () => {
  const good = { shortcut: 'fine', title: 'Fine', text: 'Fine.' };
  it.each([
    [{ ...good, shortcut: 'Fine' }, /shortcut must be 1-32 of a-z/],
    [{ ...good, title: 'x'.repeat(81) }, /title must be at most 80 characters/],
    [{ ...good, text: 'x'.repeat(2001) }, /text must be at most 2000 characters/],
    [{ ...good, text: '' }, /text must not be empty/],
    [{ ...good, skill: 'Tech' }, /skill must be a skill name/],
    [{ ...good, text: 'Your order {order.id} ships {ship.date}' }, /unknown placeholders \{order\.id\}, \{ship\.date\}/],
    [{ shortcut: 'fine', title: 'Fine' }, /text/],
    ['not json', /JSON/],
  ])('PUT %j → 400', async (input, message) => {
    await expectRefused(() => putJson(url('fine'), input, tokens.admin), 400, message);
  });

  it('a bad id → 400', async () => {
    await expectRefused(() => putJson(url('a.b'), good, tokens.admin), 400, /1-64 letters/);
  });
});

describe('shortcut claims left by a save that failed midway', () => {
  const claim = (shortcut: string, ownerId: string, claimedAt: string) =>
    documents().send(
      new PutCommand({
        TableName: stack.tableName,
        Item: { pk: 'CANNED', sk: `SHORTCUT#_global#${shortcut}`, kind: 'canned-shortcut', ownerId, claimedAt },
      }),
    );

  it('a fresh one may be a save in flight: refused', async () => {
    await claim('inflight', 'ghost', new Date().toISOString());
    await expectRefused(
      () => putJson(url('mine'), { shortcut: 'inflight', title: 'T', text: 'T' }, tokens.admin),
      400,
      'shortcut /inflight is already used',
    );
  });

  it('a stale one its owner does not use is taken over', async () => {
    await claim('leftover', 'ghost', new Date(Date.now() - 10 * 60_000).toISOString());
    expect((await putJson(url('mine'), { shortcut: 'leftover', title: 'T', text: 'T' }, tokens.admin)).status).toBe(201);
    expect(await shortcutsSeenBy(tokens.admin)).toContain('leftover');
  });
});

describe('the bound on how many', () => {
  it(
    `at most ${MAX_CANNED_RESPONSES}: the next new one is refused, replacing one still works`,
    async () => {
      const store = new DynamoCannedResponseStore(documents(), stack.tableName);
      const now = new Date().toISOString();
      for (let index = await store.count(); index < MAX_CANNED_RESPONSES; index += 1) {
        await store.put({ id: `filler-${index}`, shortcut: `filler-${index}`, title: 'F', text: 'F', updatedAt: now, updatedBy: 'test' });
      }
      await expectRefused(
        () => putJson(url('one-too-many'), { shortcut: 'too-many', title: 'T', text: 'T' }, tokens.admin),
        400,
        `at most ${MAX_CANNED_RESPONSES} canned responses`,
      );
      expect((await putJson(url('mine'), { shortcut: 'leftover', title: 'Still mine', text: 'T' }, tokens.admin)).status).toBe(200);
    },
    budget(20),
  );
});

function documents(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb));
}
