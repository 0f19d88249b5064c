import { describe, expect, it } from 'vitest';
import { DirectoryConnectionStore } from '../../../functions/adapters/system/directory-connection-store';
import type { ConnectionDirectory, DirectoryFill } from '../../../functions/ports/connection-directory';
import type { ConnectionRecord, ConnectionStore } from '../../../functions/ports/connection-store';

const record: ConnectionRecord = {
  connectionId: 'c1',
  userId: 'ann',
  role: 'customer',
  connectedAt: '2026-06-01T12:00:00.000Z',
  expiresAt: 2_000_000_000,
};

function stores(directoryFails: boolean) {
  const calls: string[] = [];
  const warned: string[] = [];
  const inner: ConnectionStore = {
    put: async (connection) => {
      calls.push(`record.put ${connection.connectionId}`);
    },
    remove: async (_userId, connectionId) => {
      calls.push(`record.remove ${connectionId}`);
    },
    listForUser: async () => [record],
  };
  const fail = async () => {
    throw new Error('Redis down');
  };
  const directory = {
    add: directoryFails
      ? fail
      : async (connection: ConnectionRecord) => {
          calls.push(`directory.add ${connection.connectionId}`);
          return connection.connectionId === 'c1' ? 'token-1' : undefined;
        },
    fillUsers: async (fills: readonly DirectoryFill[]) => {
      for (const fill of fills) calls.push(`directory.fill ${fill.userId} ${fill.token} ${fill.connections.length}`);
    },
    remove: directoryFails ? fail : async (_userId: string, connectionId: string) => void calls.push(`directory.remove ${connectionId}`),
  } as unknown as ConnectionDirectory;
  const store = new DirectoryConnectionStore(inner, directory, { warn: (message) => warned.push(message) });
  return { store, calls, warned };
}

describe('DirectoryConnectionStore', () => {
  it('writes the record first, then the directory, on put and on remove', async () => {
    const { store, calls } = stores(false);
    await store.put({ ...record, connectionId: 'c2' });
    await store.remove('ann', 'c2');
    expect(calls).toEqual(['record.put c2', 'directory.add c2', 'record.remove c2', 'directory.remove c2']);
  });

  it("fills an unknown user from the Query that follows its put (the connect's cap check), once", async () => {
    const { store, calls } = stores(false);
    await store.put(record);
    expect(await store.listForUser('ann', 0)).toEqual([record]);
    expect(await store.listForUser('ann', 0)).toEqual([record]);
    expect(calls).toEqual(['record.put c1', 'directory.add c1', 'directory.fill ann token-1 1']);
  });

  it('fails a put the directory refuses and takes the record back: a known user must not miss a live connection', async () => {
    const { store, calls } = stores(true);
    await expect(store.put(record)).rejects.toThrow('Redis down');
    expect(calls).toEqual(['record.put c1', 'record.remove c1']);
  });

  it('removes the record even when the directory cannot be reached (a stale entry is a gone connection: its push removes it)', async () => {
    const { store, calls, warned } = stores(true);
    await store.remove('ann', 'c1');
    expect(calls).toEqual(['record.remove c1']);
    expect(warned).toEqual([expect.stringMatching(/not removed/)]);
  });
});
