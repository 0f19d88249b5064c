import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../functions/domain/domain-events';
import { bucketOf, BUCKET_COUNT, percentile } from '../../functions/domain/reports';
import type { DomainEventSink } from '../../functions/ports/domain-events';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient, getJson, postJson, type Frame } from '../../local/tools/raw-client';
import { beforeAllOrFail, STACK_START_MS } from '../support/setup';
import { waitFor } from '../support/wait';

/**
 * Reports end to end (docs/reports.md): chats with assignments, replies, closes and ratings,
 * an abandoned-in-queue chat and a ticket, counted by the reports sink as their events arrive;
 * the report's numbers are exactly what happened, agents are refused, a redelivered event is
 * not counted twice.
 */
const seen: DomainEvent[] = [];
const recorder: DomainEventSink = { name: 'recorder', handle: async (event) => void seen.push(event) };

let stack: LocalStack;
let sqs: SQSClient;

beforeAllOrFail(async () => {
  stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, web: false, eventSinks: [recorder] });
  sqs = new SQSClient({
    endpoint: stack.endpoints.sqs,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, STACK_START_MS);

afterAll(async () => {
  sqs?.destroy();
  await stack?.stop();
});

async function signIn(path: string, body: Record<string, unknown>): Promise<{ client: RawClient; token: string }> {
  const { body: issued } = await postJson(`${stack.httpUrl}${path}`, body);
  const client = await RawClient.connect(stack.wsUrl, issued.token as string);
  await client.request({ action: 'sync' }, ['synced']);
  return { client, token: issued.token as string };
}
const staff = (email: string) => signIn('/v1/auth/login', { email, password: 'parley-demo' });
const about = (type: string, conversationId: string) => (frame: Frame) => frame.type === type && frame.conversationId === conversationId;

/** Every event published so far was handled: the events queue holds nothing, visible or in flight. */
async function eventsQueueDrained(): Promise<boolean> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.eventsQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return Object.values(Attributes ?? {}).every((value) => value === '0');
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const histogramOf = (values: number[]) => {
  const counts = new Array<number>(BUCKET_COUNT).fill(0);
  for (const value of values) counts[bucketOf(value)]! += 1;
  return counts;
};

describe('reports on the local stack', () => {
  it('counts chats, answers, queue abandons, tickets, waits, first responses, handle time and CSAT exactly', async () => {
    const agent = await staff('agent.tech@example.com');
    const supervisor = await staff('supervisor@example.com');
    await agent.client.request({ action: 'status', status: 'online' }, ['status']);

    // A: assigned, two agent replies, one more customer message, closed by the customer, rated 5 with a comment.
    const a = await signIn('/v1/auth/guest', { name: 'Ann' });
    const aId = (
      (await a.client.request({ action: 'start', skill: 'tech', text: 'Printer?', clientMsgId: 'a1' }, ['conversation'])).conversation as {
        id: string;
      }
    ).id;
    await agent.client.waitFor(about('assigned', aId));
    await agent.client.request({ action: 'message', conversationId: aId, text: 'Hello Ann', clientMsgId: 'ag-a1' }, ['ack']);
    await agent.client.request({ action: 'message', conversationId: aId, text: 'Try turning it off', clientMsgId: 'ag-a2' }, ['ack']);
    await a.client.request({ action: 'message', conversationId: aId, text: 'Works, thanks', clientMsgId: 'a2' }, ['ack']);
    await a.client.request({ action: 'close', conversationId: aId }, ['closed']);
    await a.client.request({ action: 'rate', conversationId: aId, score: 5, comment: 'Great, fast' }, ['rated']);

    // B: assigned, one agent reply, closed by the agent, rated 2 then re-rated 3 (one rating counts, the last score).
    const b = await signIn('/v1/auth/guest', { name: 'Ben' });
    const bId = (
      (await b.client.request({ action: 'start', skill: 'tech', text: 'VPN down', clientMsgId: 'b1' }, ['conversation'])).conversation as {
        id: string;
      }
    ).id;
    await agent.client.waitFor(about('assigned', bId));
    await agent.client.request({ action: 'message', conversationId: bId, text: 'Checking', clientMsgId: 'ag-b1' }, ['ack']);
    await agent.client.request({ action: 'close', conversationId: bId }, ['closed']);
    await b.client.request({ action: 'rate', conversationId: bId, score: 2 }, ['rated']);
    await b.client.request({ action: 'rate', conversationId: bId, score: 3 }, ['rated']);

    // C: nobody available; the customer gives up waiting.
    await agent.client.request({ action: 'status', status: 'away' }, ['status']);
    const c = await signIn('/v1/auth/guest', { name: 'Cy' });
    const cId = (
      (await c.client.request({ action: 'start', skill: 'tech', text: 'Anyone?', clientMsgId: 'c1' }, ['conversation'])).conversation as {
        id: string;
      }
    ).id;
    await c.client.request({ action: 'close', conversationId: cId }, ['closed']);

    // D: the offline form.
    const d = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Dee' });
    const ticket = await postJson(
      `${stack.httpUrl}/v1/tickets`,
      { skill: 'tech', name: 'Dee', email: 'dee@customer.example', message: 'Invoice copy please', clientMsgId: 'd1' },
      d.body.token as string,
    );
    expect(ticket.status).toBe(201);

    // Every event reached the sinks (the recorder runs beside the reports sink) and was handled.
    await waitFor(
      () =>
        seen.filter((event) => event.type === 'conversation.rated').length === 3 && seen.some((event) => event.type === 'ticket.created'),
      {
        message: 'the events of the four chats',
        timeoutMs: 30_000,
      },
    );
    await waitFor(eventsQueueDrained, { message: 'the events queue drained', timeoutMs: 30_000 });

    const range = `from=${day(-1)}&to=${day(1)}`;
    const bySkill = await getJson(`${stack.httpUrl}/v1/reports?${range}&groupBy=skill`, supervisor.token);
    expect(bySkill.status).toBe(200);
    expect(bySkill.body).toMatchObject({ timeZone: 'UTC', groupBy: 'skill' });
    const waits = seen.filter((event) => event.type === 'conversation.assigned').map((event) => event.waitMs);
    const firstResponses = seen.flatMap((event) =>
      event.type === 'message.created' && event.firstResponseMs !== undefined ? [event.firstResponseMs] : [],
    );
    const handles = seen.flatMap((event) => (event.type === 'conversation.closed' && event.handleMs !== undefined ? [event.handleMs] : []));
    expect(waits).toHaveLength(2);
    expect(firstResponses).toHaveLength(2);
    expect(handles).toHaveLength(2);
    const tech = {
      key: 'tech',
      started: 3,
      answered: 2,
      abandonedInQueue: 1,
      tickets: 1,
      messages: 7,
      closed: 3,
      waitP50Ms: percentile(histogramOf(waits), 0.5),
      waitP90Ms: percentile(histogramOf(waits), 0.9),
      firstResponseP50Ms: percentile(histogramOf(firstResponses), 0.5),
      firstResponseP90Ms: percentile(histogramOf(firstResponses), 0.9),
      handleAvgMs: Math.round((handles[0]! + handles[1]!) / 2),
      csatAverage: 4,
      csatCount: 2,
    };
    expect(bySkill.body.lines).toEqual([expect.objectContaining(tech)]);
    expect(bySkill.body.totals).toMatchObject({ ...tech, key: 'total' });

    // By agent: the agent's rows hold what happened while it held the chats; the rest is "No agent".
    const byAgent = await getJson(`${stack.httpUrl}/v1/reports?${range}&groupBy=agent`, supervisor.token);
    const lineOf = (key: string) => (byAgent.body.lines as Array<Record<string, unknown>>).find((line) => line.key === key);
    expect(lineOf('agent-tech')).toMatchObject({
      label: 'Tess (billing, tech)',
      answered: 2,
      messages: 4,
      closed: 2,
      csatCount: 2,
      csatAverage: 4,
      started: 0,
    });
    expect(lineOf('-')).toMatchObject({
      label: 'No agent',
      started: 3,
      messages: 3,
      abandonedInQueue: 1,
      closed: 1,
      tickets: 1,
      answered: 0,
    });

    // By day: every day of the range, the totals the same.
    const byDay = await getJson(`${stack.httpUrl}/v1/reports?${range}&groupBy=day`, supervisor.token);
    expect((byDay.body.lines as Array<{ key: string }>).map((line) => line.key)).toEqual([day(-1), day(0), day(1)]);
    expect(byDay.body.totals).toMatchObject({ started: 3, answered: 2, messages: 7, csatCount: 2 });

    // CSV: the same numbers, a header and the totals.
    const csv = await fetch(`${stack.httpUrl}/v1/reports?${range}&groupBy=skill&format=csv`, {
      headers: { authorization: `Bearer ${supervisor.token}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const csvLines = (await csv.text()).trim().split('\r\n');
    expect(csvLines[0]).toMatch(/^key,label,started,answered,abandonedInQueue,tickets,messages,closed,/);
    expect(csvLines[1]).toMatch(/^tech,tech,3,2,1,1,7,3,/);
    expect(csvLines[2]).toMatch(/^total,Total,3,2,1,1,7,3,/);

    // Ratings per agent, newest conversation first, with their comments.
    const ratings = await getJson(`${stack.httpUrl}/v1/reports/ratings?agent=agent-tech`, supervisor.token);
    expect(ratings.status).toBe(200);
    expect(ratings.body.ratings).toEqual([
      expect.objectContaining({ conversationId: bId, score: 3 }),
      expect.objectContaining({ conversationId: aId, score: 5, comment: 'Great, fast' }),
    ]);
    const firstPage = await getJson(`${stack.httpUrl}/v1/reports/ratings?agent=agent-tech&limit=1`, supervisor.token);
    expect(firstPage.body.ratings).toHaveLength(1);
    const secondPage = await getJson(
      `${stack.httpUrl}/v1/reports/ratings?agent=agent-tech&limit=1&cursor=${firstPage.body.nextCursor as string}`,
      supervisor.token,
    );
    expect(secondPage.body.ratings).toEqual([expect.objectContaining({ conversationId: aId })]);

    // A redelivered event (the same id) changes nothing.
    const before = (await getJson(`${stack.httpUrl}/v1/reports?${range}&groupBy=skill`, supervisor.token)).body;
    const again = seen.filter((event) => event.type === 'message.created' && event.conversationId === aId);
    const rated = seen.find((event) => event.type === 'conversation.rated' && event.conversationId === aId)!;
    await stack.wiring().ports.events.publish([...again, rated]);
    await waitFor(() => seen.filter((event) => event.id === rated.id).length === 2, {
      message: 'the redelivered rating',
      timeoutMs: 20_000,
    });
    await waitFor(eventsQueueDrained, { message: 'the redelivered events handled', timeoutMs: 20_000 });
    expect((await getJson(`${stack.httpUrl}/v1/reports?${range}&groupBy=skill`, supervisor.token)).body).toEqual(before);

    // Admins may read reports; agents may not; bad ranges are refused.
    const admin = await staff('admin@example.com');
    expect((await getJson(`${stack.httpUrl}/v1/reports?${range}`, admin.token)).status).toBe(200);
    const refused = await getJson(`${stack.httpUrl}/v1/reports?${range}`, agent.token);
    expect(refused.status).toBe(403);
    expect((await getJson(`${stack.httpUrl}/v1/reports/ratings?agent=agent-tech`, agent.token)).status).toBe(403);
    expect((await getJson(`${stack.httpUrl}/v1/reports?from=${day(1)}&to=${day(-1)}`, supervisor.token)).status).toBe(400);
    expect((await getJson(`${stack.httpUrl}/v1/reports?from=2026-01-01&to=2026-12-31`, supervisor.token)).status).toBe(400);
    expect((await getJson(`${stack.httpUrl}/v1/reports?from=2026-02-30&to=2026-03-01`, supervisor.token)).status).toBe(400);
    expect((await getJson(`${stack.httpUrl}/v1/reports?${range}&groupBy=week`, supervisor.token)).status).toBe(400);
    for (const client of [agent, supervisor, a, b, c, admin]) client.client.close();
  }, 120_000);
});
