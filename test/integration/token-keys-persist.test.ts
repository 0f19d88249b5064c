import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { RawClient } from '../../local/tools/raw-client';
import { budget, STACK_START_MS } from '../support/setup';
import { guestToken } from '../security/support';

/** `npm start -- --data DIR`: the token keys outlive a restart, so tokens issued before it still work. */
let dataDir: string | undefined;
let stack: LocalStack | undefined;

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('token keys under --data', () => {
  it(
    'are the same after a restart, rotations included, and the private set is readable by its owner only',
    async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'parley-keys-'));
      stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: false, web: false, dataDir });
      const token = await guestToken(stack, 'Before restart');
      await stack.rotateSigningKeys();
      const keys = stack.signingKeys();
      expect(keys).toHaveLength(2);
      await stack.stop();
      stack = undefined;
      expect((await stat(join(dataDir, 'token-keys.json'))).mode & 0o077).toBe(0);

      stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: false, web: false, dataDir });
      expect(stack.signingKeys()).toEqual(keys);
      const client = await RawClient.connect(stack.wsUrl, token);
      await client.close();
    },
    2 * STACK_START_MS + budget(4),
  );

  it(
    'are new on every start without it',
    async () => {
      const first = await startLocalStack({ httpPort: 0, wsPort: 0, demo: false, web: false });
      const kids = first.signingKeys().map((key) => key.kid);
      await first.stop();
      const second = await startLocalStack({ httpPort: 0, wsPort: 0, demo: false, web: false });
      try {
        expect(second.signingKeys()).toHaveLength(1);
        expect(kids).not.toContain(second.signingKeys()[0]!.kid);
      } finally {
        await second.stop();
      }
    },
    2 * STACK_START_MS + budget(2),
  );
});
