import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { esbuildOptions } from '../../../lib/constructs/parley-function';
import * as z from '../../../functions/shared/zod';

/** Every .ts file under functions/. */
function sources(dir = 'functions'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('zod as functions/ import it (functions/shared/zod.ts: zod/mini with English messages)', () => {
  it('is the only way functions/ reach zod: no module imports the classic API, nor zod/mini without the English messages', () => {
    const offenders = sources()
      .filter((file) => file !== join('functions', 'shared', 'zod.ts'))
      .filter((file) => /from '(zod|zod\/[^']*)'/.test(readFileSync(file, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it("gives zod's English messages, not zod/mini's bare 'Invalid input'", () => {
    const schema = z.strictObject({ name: z.string().check(z.minLength(2)), n: z.number().check(z.int()) });
    expect(schema.safeParse({ name: 'a', n: 1.5, extra: 1 }).error?.issues.map((issue) => issue.message)).toEqual([
      'Too small: expected string to have >=2 characters',
      'Invalid input: expected int, received number',
      'Unrecognized key: "extra"',
    ]);
  });

  it('keeps them in a Lambda bundle, where zod/mini stands alone (esbuild as CDK runs it; the module is a listed side effect)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-zod-'));
    try {
      const entry = join(dir, 'entry.mjs');
      writeFileSync(
        entry,
        [
          `import { readFrame } from ${JSON.stringify(join(process.cwd(), 'functions/protocol/client-frames.ts'))};`,
          `import { validate } from ${JSON.stringify(join(process.cwd(), 'functions/handlers/shared/parse.ts'))};`,
          "try { validate(readFrame, { action: 'read', conversationId: 'c1', seq: 1.5, extra: 1 }); } catch (error) { process.stdout.write(error.message); }",
        ].join('\n'),
      );
      const outfile = join(dir, 'out', 'index.mjs');
      const result = await build({ ...esbuildOptions({}), entryPoints: [entry], outfile, metafile: true, logLevel: 'error' });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.filter((input) => input.includes('/zod/v4/classic/'))).toEqual([]);
      expect(inputs.some((input) => input.endsWith('/zod/v4/locales/en.js'))).toBe(true);
      const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('seq: Invalid input: expected int, received number; unknown field extra');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
