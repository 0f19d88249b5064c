import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { type Frame, getJson, postJson, putJson, RawClient } from '../../local/tools/raw-client';
import { settled, storedItems } from '../security/support';
import { beforeAllOrFail, budget, STACK_START_MS } from '../support/setup';

let stack: LocalStack;
let admin: string;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ skills: ['avail', 'nightshift', 'nohours', 'other'], httpPort: 0, wsPort: 0, demo: true });
  admin = (await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' })).body.token;
}, STACK_START_MS + budget(1));

afterAll(async () => {
  await stack?.stop();
});

const WHOLE_DAY = [{ from: '00:00', to: '24:00' }];
const EVERY_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, WHOLE_DAY]));
/** Open around the clock but closed today (UTC): it opens at the next UTC midnight. */
function closedToday(now = new Date()) {
  const today = now.toISOString().slice(0, 10);
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000);
  return { hours: { timeZone: 'UTC', weekly: EVERY_DAY, closed: [{ from: today, label: 'test' }], behaviour: 'form' }, tomorrow };
}

const putHours = (skill: string, body: unknown) => putJson(`${stack.httpUrl}/v1/skills/${skill}/hours`, body, admin);
const availability = (skill: string) => fetch(`${stack.httpUrl}/v1/availability?skill=${skill}`);

async function customer(name: string): Promise<RawClient> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name });
  const client = await RawClient.connect(stack.wsUrl, body.token);
  await client.request({ action: 'sync' }, ['synced']);
  return client;
}

async function staff(email: string, password = 'parley-demo'): Promise<RawClient> {
  const { body } = await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password });
  const client = await RawClient.connect(stack.wsUrl, body.token);
  await client.request({ action: 'sync' }, ['synced']);
  return client;
}

describe('business hours and availability on the local stack', () => {
  it(
    'refuses a bad hours body with a 400 that changes nothing',
    async () => {
      const before = await storedItems(stack);
      for (const body of [
        { timeZone: 'Mars/Olympus_Mons', weekly: {}, behaviour: 'form' },
        { timeZone: 'UTC', weekly: { mon: [{ from: '9:00', to: '17:00' }] } },
        { timeZone: 'UTC', weekly: {}, behaviour: 'form', extra: true },
        '{not json',
      ]) {
        const response = await putHours('billing', body);
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('bad_request');
      }
      expect(await storedItems(stack)).toEqual(before);
    },
    budget(6),
  );

  it(
    'answers availability: always open without hours, closed with the next opening, short Cache-Control, no token',
    async () => {
      const fallback = await availability('nohours');
      expect(fallback.status).toBe(200);
      expect(fallback.headers.get('cache-control')).toMatch(/max-age=[1-5]\b/);
      expect(await fallback.json()).toEqual({ skill: 'nohours', open: true, agentsOnline: 0, behaviour: 'queue', timeZone: 'UTC' });

      const { hours, tomorrow } = closedToday();
      expect((await putHours('nightshift', hours)).status).toBe(200);
      const closed = await (await availability('nightshift')).json();
      expect(closed).toMatchObject({ skill: 'nightshift', open: false, behaviour: 'form', timeZone: 'UTC', agentsOnline: 0 });
      expect(closed.nextOpening).toBe(tomorrow.toISOString());

      // `_default` applies to every skill without hours of its own.
      expect((await putHours('_default', { ...hours, behaviour: 'hide' })).status).toBe(200);
      expect(await (await availability('other')).json()).toMatchObject({ open: false, behaviour: 'hide' });
      expect((await putHours('_default', { timeZone: 'UTC', weekly: EVERY_DAY, behaviour: 'queue' })).status).toBe(200);
      expect(await (await availability('other')).json()).toMatchObject({ open: true, behaviour: 'queue' });
      expect((await getJson(`${stack.httpUrl}/v1/availability?skill=NOT%20A%20SKILL`)).status).toBe(400);
      // A skill no admin configured (a typo in the embed code): said, not answered as if it existed.
      const unknown = await getJson(`${stack.httpUrl}/v1/availability?skill=bilingg`);
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.message).toContain('bilingg');
    },
    budget(8),
  );

  it(
    "a start while closed gets one off-hours notice in the visitor's language and zone, and no second no-agent notice",
    async () => {
      const ann = await customer('Ann');
      ann.send({
        action: 'start',
        skill: 'nightshift',
        text: '你好',
        clientMsgId: 'zh-1',
        visitor: { locale: 'zh-CN', timeZone: 'Asia/Shanghai' },
      });
      const conversation = (await ann.nextOfType('conversation')).conversation as { id: string; lastSeq: number };
      const notice = await ann.waitFor(
        (frame) => frame.type === 'message' && frame.sender !== undefined && (frame.sender as { role: string }).role === 'system',
      );
      // UTC midnight is 08:00 in Shanghai; today or tomorrow there depending on the hour.
      expect(notice.text).toMatch(/^我们现在不在线。我们将于(今天|明天) 08:00 回来。$/);
      expect(notice).toMatchObject({ conversationId: conversation.id, seq: 2, clientMsgId: `off-hours:${conversation.id}` });
      expect(conversation.lastSeq).toBe(2);
      expect(await ann.waitFor((frame) => frame.type === 'queued')).toMatchObject({ agentsOnline: 0, position: 1 });
      await settled(stack, undefined, budget(3));
      const history = await getJson(`${stack.httpUrl}/v1/conversations/${conversation.id}/messages`, admin);
      const system = (history.body.messages as Frame[]).filter((message) => (message.sender as { role: string }).role === 'system');
      expect(system.map((message) => message.text)).toEqual([notice.text]);
      await ann.close();
    },
    budget(8),
  );

  it(
    'availability frames reach a queued customer when an agent comes online, when the last goes offline, and at closing (sweep)',
    async () => {
      const created = await postJson(
        `${stack.httpUrl}/v1/agents`,
        { email: 'avail@example.com', name: 'Ava', password: 'a-long-password', skills: ['avail'], capacity: 1 },
        admin,
      );
      expect(created.status).toBe(201);
      const first = await customer('First');
      first.send({ action: 'start', skill: 'avail', text: 'one', clientMsgId: 'a-1' });
      const firstNotice = await first.waitFor((frame) => frame.type === 'message' && (frame.sender as { role: string }).role === 'system');
      expect(firstNotice.text).toBe("Nobody is online right now; we'll answer as soon as someone is.");

      const agent = await staff('avail@example.com', 'a-long-password');
      await agent.request({ action: 'status', status: 'online' }, ['status']);
      expect(await first.waitFor((frame) => frame.type === 'availability' && frame.agentsOnline === 1)).toMatchObject({
        skill: 'avail',
        open: true,
        behaviour: 'queue',
      });
      await first.waitFor((frame) => frame.type === 'assigned');

      // The agent is full (capacity 1): the second customer waits, seeing one agent online.
      const second = await customer('Second');
      second.send({ action: 'start', skill: 'avail', text: 'two', clientMsgId: 'b-1' });
      expect(await second.waitFor((frame) => frame.type === 'queued')).toMatchObject({ agentsOnline: 1 });

      await agent.request({ action: 'status', status: 'offline' }, ['status']);
      expect(await second.waitFor((frame) => frame.type === 'availability' && frame.agentsOnline === 0)).toMatchObject({
        skill: 'avail',
        open: true,
      });

      // The team closes: the scheduled sweep announces it once.
      expect((await putHours('avail', closedToday().hours)).status).toBe(200);
      await stack.runScheduled('reconcile');
      const closing = await second.waitFor((frame) => frame.type === 'availability' && frame.open === false);
      expect(closing).toMatchObject({
        skill: 'avail',
        agentsOnline: 0,
        behaviour: 'form',
        nextOpening: closedToday().tomorrow.toISOString(),
      });
      const count = second.all('availability').length;
      await stack.runScheduled('reconcile');
      await settled(stack, undefined, budget(3));
      expect(second.all('availability')).toHaveLength(count);
      await Promise.all([first.close(), second.close(), agent.close()]);
    },
    budget(20),
  );
});
