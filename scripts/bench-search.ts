import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conversationToItem } from '../functions/adapters/dynamodb/conversation-items';
import { DynamoConversationStore } from '../functions/adapters/dynamodb/conversation-store';
import { DynamoSearchIndex } from '../functions/adapters/dynamodb/search-index';
import { ulidGenerator } from '../functions/adapters/system/clock';
import type { Conversation } from '../functions/domain/conversation';
import type { DomainEvent } from '../functions/domain/domain-events';
import { ALL_SCOPE, agentScope } from '../functions/domain/search';
import type { PostingWrite } from '../functions/ports/search-index';
import { customerPostings, messagePostings, SearchSink } from '../functions/services/search';
import { localDynamoClient } from '../local/dynamodb/dynalite-server';
import { type LocalStack, startLocalStack } from '../local/stack';
import { getJson, postJson } from '../local/tools/raw-client';
import { RequestCounter } from './bench/request-counter';

/**
 * Search numbers (docs/search.md "Measured"), on a local stack:
 *  1. Write path: DynamoDB requests (and write units) the `search` sink makes per
 *     message.created, counted by client middleware over real events of generated chats.
 *  2. Read path: `GET /v1/search` latency (p50, p95) and DynamoDB requests per search over
 *     MESSAGES generated messages (default 100,000), for a supervisor (every posting) and an
 *     agent (its own scope), per kind of query: a common word, a medium one, a rare one, two
 *     words, a name prefix, an email.
 * The bulk load writes exactly the postings the sink would (services/search.ts
 * messagePostings/customerPostings) straight to the table, so loading takes minutes, not hours.
 *
 * Alone: `npx tsx scripts/bench-search.ts [--messages N]`; `npm run bench` runs it with 20,000 (BENCH_SEARCH_MESSAGES sets another count).
 */
const MESSAGES_PER_CONVERSATION = 20;
const AGENTS = 20;
const VOCABULARY = 2_000;
const WORDS_PER_MESSAGE = 9;
const SEARCHES_PER_QUERY = 40;
const LOAD_CONCURRENCY = 16;
const SPAN_DAYS = 30;
const SINK_SAMPLE_CONVERSATIONS = 50;

/** Deterministic pseudo-random numbers (mulberry32), so runs compare. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words by Zipf's law (s = 1): word k is about 1/k as frequent as the most common one. */
function zipfSampler(rand: () => number, size: number): () => string {
  const weights = Array.from({ length: size }, (_, k) => 1 / (k + 1));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const weight of weights) {
    running += weight / total;
    cumulative.push(running);
  }
  return () => {
    const x = rand();
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return wordOf(lo);
  };
}

/** Word k of the vocabulary: pronounceable, never a stopword. */
function wordOf(k: number): string {
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'pe', 'su'];
  let word = 'w';
  for (let n = k; ; n = Math.floor(n / 10)) {
    word += syllables[n % 10];
    if (n < 10) break;
  }
  return word;
}

const FIRST_NAMES = ['Ann', 'Bob', 'Chen', 'Dana', 'Emil', 'Fatima', 'Goran', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lena', 'Mia', 'Noor', 'Omar'];
const LAST_NAMES = ['Lee', 'Ray', 'Wang', 'Smith', 'Ortiz', 'Ali', 'Novak', 'Sato', 'Berg', 'Kim', 'Diaz', 'Fox', 'Hill', 'Moss'];

interface Generated {
  readonly conversations: Conversation[];
  readonly messages: Array<{ conversationId: string; seq: number; at: string; text: string; from: 'customer' | 'agent' }>;
}

function generate(messageCount: number, seed = 11): Generated {
  const rand = random(seed);
  const word = zipfSampler(rand, VOCABULARY);
  const conversationCount = Math.ceil(messageCount / MESSAGES_PER_CONVERSATION);
  const end = Date.parse('2026-11-30T12:00:00.000Z');
  const conversations: Conversation[] = [];
  const messages: Generated['messages'] = [];
  const ids = ulidGenerator();
  for (let c = 0; c < conversationCount; c += 1) {
    const createdMs = end - SPAN_DAYS * 86_400_000 + Math.floor((c / conversationCount) * SPAN_DAYS * 86_400_000);
    const first = FIRST_NAMES[Math.floor(rand() * FIRST_NAMES.length)]!;
    const last = LAST_NAMES[Math.floor(rand() * LAST_NAMES.length)]!;
    const agent = `bench-agent-${c % AGENTS}`;
    const id = ids.next();
    const count = Math.min(MESSAGES_PER_CONVERSATION, messageCount - messages.length);
    const createdAt = new Date(createdMs).toISOString();
    conversations.push({
      id,
      status: 'closed',
      customer: { id: `guest:bench-${c}`, name: `${first} ${last}`, email: `customer${c}@bench.example` },
      agent: { id: agent, name: agent },
      skill: c % 2 === 0 ? 'billing' : 'tech',
      lastSeq: count,
      createdAt,
      updatedAt: new Date(createdMs + count * 30_000).toISOString(),
      assignedAt: createdAt,
    });
    for (let seq = 1; seq <= count; seq += 1) {
      const words = Array.from({ length: WORDS_PER_MESSAGE }, () => word());
      // One message in 50 names an order number: the rare terms.
      if (rand() < 0.02) words.push('order', String(100_000 + Math.floor(rand() * 900_000)));
      messages.push({
        conversationId: id,
        seq,
        at: new Date(createdMs + seq * 30_000).toISOString(),
        text: words.join(' '),
        from: seq % 2 === 1 ? 'customer' : 'agent',
      });
    }
  }
  return { conversations, messages };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** A document client on the stack's DynamoDB that counts requests (by operation) and item writes. */
function countingDocuments(stack: LocalStack) {
  const client = localDynamoClient(stack.endpoints.dynamodb);
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName ?? '?', (counts.get(context.commandName ?? '?') ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchSearchCounter' },
  );
  return { documents: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), counts };
}

async function staffToken(stack: LocalStack, id: string, role: 'agent' | 'supervisor'): Promise<string> {
  // Signed in through the API as the demo supervisor; agents are created by the admin.
  if (role === 'supervisor') {
    return (await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'supervisor@example.com', password: 'parley-demo' })).body.token;
  }
  const admin = (await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'admin@example.com', password: 'parley-demo' })).body.token;
  const email = `${id}@bench.example`;
  const created = await postJson(
    `${stack.httpUrl}/v1/agents`,
    { id, email, name: id, password: 'a-long-bench-password', skills: ['billing'], capacity: 5 },
    admin,
  );
  if (created.status !== 201 && created.status !== 200) throw new Error(`Could not create agent ${id}: ${JSON.stringify(created.body)}`);
  return (await postJson(`${stack.httpUrl}/v1/auth/login`, { email, password: 'a-long-bench-password' })).body.token;
}

export interface SearchBenchOptions {
  readonly stack: LocalStack;
  readonly messages: number;
  /** Counts each function's requests (the stack started with its `instrument`, the stack's DynamoDB client attached). */
  readonly counter?: RequestCounter;
}

export async function benchSearch({ stack, messages: messageCount, counter }: SearchBenchOptions): Promise<string> {
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    console.error(`[bench-search] ${line}`);
  };

  // 1. The write path: the real sink over real events of a sample of generated chats.
  const sample = generate(SINK_SAMPLE_CONVERSATIONS * MESSAGES_PER_CONVERSATION, 7);
  const counted = countingDocuments(stack);
  const conversations = new DynamoConversationStore(counted.documents, stack.tableName, ulidGenerator());
  const sink = new SearchSink({ search: new DynamoSearchIndex(counted.documents, stack.tableName), conversations });
  const raw = DynamoDBDocumentClient.from(localDynamoClient(stack.endpoints.dynamodb), {
    marshallOptions: { removeUndefinedValues: true },
  });
  await putAll(
    raw,
    stack.tableName,
    sample.conversations.map((conversation) => conversationToItem(conversation)),
  );
  for (const conversation of sample.conversations) {
    const base = { conversationId: conversation.id, skill: conversation.skill, customerId: conversation.customer.id };
    await sink.handle({ ...base, type: 'conversation.started', id: `${conversation.id}:s`, at: conversation.createdAt, status: 'queued' });
    await sink.handle({
      ...base,
      type: 'conversation.assigned',
      id: `${conversation.id}:a`,
      at: conversation.createdAt,
      agent: conversation.agent!,
      waitMs: 0,
      first: true,
    });
  }
  counted.counts.clear();
  let postingsWritten = 0;
  for (const message of sample.messages) {
    const conversation = sample.conversations.find((c) => c.id === message.conversationId)!;
    const from =
      message.from === 'agent'
        ? { ...conversation.agent!, role: 'agent' as const }
        : { ...conversation.customer, role: 'customer' as const };
    const event: DomainEvent = {
      type: 'message.created',
      id: `${message.conversationId}:message:${message.seq}`,
      at: message.at,
      conversationId: message.conversationId,
      skill: conversation.skill,
      customerId: conversation.customer.id,
      seq: message.seq,
      from: { id: from.id, name: from.name, role: from.role },
      text: message.text,
    };
    postingsWritten += messagePostings(message, [ALL_SCOPE, agentScope(conversation.agent!.id)]).length;
    await sink.handle(event);
  }
  const requests = [...counted.counts.values()].reduce((sum, n) => sum + n, 0);
  const perMessage = (n: number) => (n / sample.messages.length).toFixed(2);
  log(
    `write path: ${perMessage(requests)} DynamoDB requests per message (${[...counted.counts.entries()].map(([op, n]) => `${op} ${perMessage(n)}`).join(', ')}), ` +
      `${perMessage(postingsWritten)} postings (write units) per message, ${sample.messages.length} messages with ${WORDS_PER_MESSAGE} words each`,
  );

  // 2. The bulk load: the same postings, written in parallel batches.
  const started = Date.now();
  const data = generate(messageCount);
  await putAll(
    raw,
    stack.tableName,
    data.conversations.map((conversation) => conversationToItem(conversation)),
  );
  const byId = new Map(data.conversations.map((conversation) => [conversation.id, conversation]));
  const index = new DynamoSearchIndex(raw, stack.tableName);
  const batches: PostingWrite[][] = [];
  let batch: PostingWrite[] = [];
  const push = (postings: PostingWrite[]) => {
    for (const posting of postings) {
      batch.push(posting);
      if (batch.length === 25) {
        batches.push(batch);
        batch = [];
      }
    }
  };
  for (const conversation of data.conversations) push(customerPostings(conversation, [ALL_SCOPE, agentScope(conversation.agent!.id)]));
  for (const message of data.messages) push(messagePostings(message, [ALL_SCOPE, agentScope(byId.get(message.conversationId)!.agent!.id)]));
  if (batch.length > 0) batches.push(batch);
  let done = 0;
  await pool(batches, LOAD_CONCURRENCY, async (postings) => {
    await index.write(postings);
    done += 1;
    if (done % 2000 === 0) console.error(`[bench-search] loaded ${done}/${batches.length} batches`);
  });
  log(
    `loaded ${data.messages.length} messages in ${data.conversations.length} conversations: ${batches.length * 25} postings ` +
      `in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );

  // 3. The read path over HTTP, as the console calls it.
  const supervisor = await staffToken(stack, 'supervisor', 'supervisor');
  const agent = await staffToken(stack, 'bench-agent-3', 'agent');
  const sampleCustomer = data.conversations[Math.floor(data.conversations.length / 2)]!;
  const rare = data.messages
    .find((message) => message.text.includes('order '))!
    .text.split(' ')
    .at(-1)!;
  const queries: Array<[string, Record<string, string>]> = [
    ['common word (rank 1)', { q: wordOf(0) }],
    ['medium word (rank 100)', { q: wordOf(99) }],
    ['rare word (an order number)', { q: rare }],
    ['two words (rank 5 and 300)', { q: `${wordOf(4)} ${wordOf(299)}` }],
    ['name prefix (2 letters)', { customer: sampleCustomer.customer.name.slice(0, 2) }],
    ['email', { q: sampleCustomer.customer.email! }],
  ];
  log('');
  log(
    `GET /v1/search over ${data.messages.length} messages, ${SEARCHES_PER_QUERY} searches each (local stack: dynalite, the HTTP API emulator, auth and rate limit included)`,
  );
  log('');
  log('| query | caller | p50 ms | p95 ms | DynamoDB requests per search | results (first page) |');
  log('|---|---|--:|--:|--:|--:|');
  for (const [name, query] of queries) {
    for (const [caller, token] of [
      ['supervisor', supervisor],
      ['agent', agent],
    ] as const) {
      const url = `${stack.httpUrl}/v1/search?${new URLSearchParams(query).toString()}`;
      const times: number[] = [];
      let results = 0;
      counter?.take();
      for (let i = 0; i < SEARCHES_PER_QUERY; i += 1) {
        const before = performance.now();
        const response = await getJson(url, token);
        times.push(performance.now() - before);
        if (response.status !== 200) throw new Error(`Search ${url} failed: ${JSON.stringify(response.body)}`);
        results = response.body.results.length;
      }
      times.sort((a, b) => a - b);
      // The token check's reads (profile, session) are in every authenticated route; the rest is the search.
      const reads = counter ? ((counter.take().get('search')?.dynamodb ?? 0) / SEARCHES_PER_QUERY).toFixed(1) : 'n/a';
      log(`| ${name} | ${caller} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${reads} | ${results} |`);
    }
  }
  return lines.join('\n');
}

async function putAll(documents: DynamoDBDocumentClient, tableName: string, items: Record<string, unknown>[]): Promise<void> {
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) chunks.push(items.slice(start, start + 25));
  await pool(chunks, LOAD_CONCURRENCY, async (chunk) => {
    let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const result = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = process.argv.indexOf('--messages');
  const messages = flag === -1 ? 100_000 : Number(process.argv[flag + 1]);
  const counter = new RequestCounter();
  const stack = await startLocalStack({
    httpPort: 0,
    wsPort: 0,
    demo: true,
    web: false,
    instrument: counter.instrument,
    env: { RATE_LIMIT_API_READS: '1000000/60' },
  });
  counter.attach(stack.wiring().clients.dynamodb, 'dynamodb');
  try {
    console.log(await benchSearch({ stack, messages, counter }));
  } finally {
    await stack.stop();
  }
}
