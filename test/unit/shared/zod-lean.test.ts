import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { z as lean, ZOD_LEFT_OUT } from '../../../functions/shared/zod-lean';

/** Every .ts file under functions/. */
function sources(dir = 'functions'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('zod as Lambda bundles see it (functions/shared/zod-lean.ts)', () => {
  it("is all of zod's z but what it leaves out", () => {
    const expected = Object.keys(z)
      .filter((name) => !(ZOD_LEFT_OUT as readonly string[]).includes(name))
      .sort();
    expect(Object.keys(lean).sort()).toEqual(expected);
    for (const name of expected) expect(lean[name as keyof typeof lean], name).toBe(z[name as keyof typeof z]);
  });

  it('is enough: no function uses at runtime a part it leaves out', () => {
    const leftOut = new RegExp(`\\bz\\.(${ZOD_LEFT_OUT.join('|')})\\b`);
    const offenders = sources()
      .map((file) => ({ file, text: readFileSync(file, 'utf8') }))
      // A type-only import never reaches the bundle.
      .filter(({ text }) => /import \{ z \} from 'zod'/.test(text) && leftOut.test(text))
      .map(({ file }) => file);
    expect(offenders).toEqual([]);
  });

  it("keeps zod's English messages", () => {
    expect(lean.string().min(2).safeParse('a').error?.issues[0]?.message).toBe(z.string().min(2).safeParse('a').error?.issues[0]?.message);
  });
});
