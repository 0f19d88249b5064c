import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoEmailAddressStore } from '../../../functions/adapters/dynamodb/email-address-store';
import { tableAccessOf } from '../../../functions/routes';
import { currentEntry, runAsEntry } from '../../../local/iam/entry-scope';
import { enforceTableGrants } from '../../../local/iam/table-grant-checker';
import { ensureTable, localDynamoClient, startDynalite, type DynaliteServer } from '../../../local/dynamodb/dynalite-server';
import { beforeAllOrFail, budget } from '../../support/setup';

const TABLE = 'parley-email-addresses-test';
let server: DynaliteServer;
let store: DynamoEmailAddressStore;
const denied: string[] = [];

beforeAllOrFail(async () => {
  server = await startDynalite({ port: 0 });
  const client = localDynamoClient(server.endpoint);
  await ensureTable(client, TABLE);
  // Each call runs as the entry point that makes it in production, under its declared grants.
  enforceTableGrants(client, { currentEntry, accessOf: tableAccessOf, onDenied: (error) => denied.push(error.message) });
  store = new DynamoEmailAddressStore(DynamoDBDocumentClient.from(client), TABLE);
}, budget(2));

afterAll(async () => {
  await server?.close();
});

describe('the bounce and complaint address store (MAILADDR#, MAILSUPPRESSIONS)', () => {
  it('marks, reads case-insensitively, never downgrades a complaint, and lists by address a page at a time', async () => {
    const events = (work: () => Promise<unknown>) => runAsEntry('mail-events', work);
    await events(() =>
      store.mark({ email: 'Ann@Customer.example', status: 'bounced', reason: 'Permanent/General', at: '2026-11-30T22:00:00.000Z' }),
    );
    await events(() =>
      store.mark({ email: 'bob@customer.example', status: 'complained', reason: 'Complaint: abuse', at: '2026-11-30T22:01:00.000Z' }),
    );
    // A later bounce report for the complaining address keeps the complaint; repeating a mark is harmless.
    await events(() =>
      store.mark({ email: 'bob@customer.example', status: 'bounced', reason: 'Permanent/General', at: '2026-11-30T22:02:00.000Z' }),
    );
    await events(() =>
      store.mark({ email: 'ann@customer.example', status: 'bounced', reason: 'Permanent/General', at: '2026-11-30T22:00:00.000Z' }),
    );

    const statusOf = (email: string) => runAsEntry('transcript', () => store.statusOf(email));
    expect(await statusOf('ANN@customer.example')).toBe('bounced');
    expect(await statusOf('bob@customer.example')).toBe('complained');
    expect(await statusOf('carol@customer.example')).toBe('ok');

    const first = await runAsEntry('mail-suppressions', () => store.listSuppressed(1));
    expect(first.addresses).toEqual([
      { email: 'ann@customer.example', status: 'bounced', reason: 'Permanent/General', at: '2026-11-30T22:00:00.000Z' },
    ]);
    expect(first.next).toEqual(expect.any(String));
    const second = await runAsEntry('mail-suppressions', () => store.listSuppressed(10, first.next));
    expect(second.addresses).toEqual([
      { email: 'bob@customer.example', status: 'complained', reason: 'Complaint: abuse', at: '2026-11-30T22:01:00.000Z' },
    ]);
    expect(denied).toEqual([]);
  });
});
