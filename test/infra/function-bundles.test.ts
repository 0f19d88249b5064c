import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFunctions } from '../../functions/routes';
import { BUDGET_EXCEPTIONS_KB, budgetKb, DEFAULT_BUDGET_KB, TARGET_KB } from '../../scripts/bench/function-budgets';
import { bundleFunction, type FunctionSize } from '../../scripts/bench/function-sizes';
import { budget } from '../support/budget';

/**
 * Lambda bundles as CDK builds them (esbuild, lib/constructs/parley-function.ts). Bundling all
 * 48 functions takes minutes on a loaded machine: this builds one of each kind of port-group
 * mix (`npm run bench` checks every function against scripts/bench/function-budgets.ts).
 */
const REPRESENTATIVE = [
  'default', // no needs: no AWS client at all
  'typing', // table, connections, Redis: most WebSocket routes
  'auth-guest', // tokens
  'message', // + S3 (attachments) and queues
  'ticket-writes', // + SES
  'router', // queues, Redis, connections
  'rotate-signing-keys', // Secrets Manager only
] as const;

const dir = mkdtempSync(join(tmpdir(), 'parley-bundles-'));
const bundles = new Map<string, FunctionSize>();

beforeAll(async () => {
  symlinkSync(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
  for (const name of REPRESENTATIVE) {
    const fn = allFunctions().find((candidate) => candidate.name === name)!;
    bundles.set(name, await bundleFunction(fn, dir));
  }
}, budget(REPRESENTATIVE.length));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const has = (name: string, pkg: string) => bundles.get(name)!.packages.some(([candidate]) => candidate === pkg);

describe('function bundles', () => {
  it('has a budget file that names deployed functions, each exception above the default', () => {
    const names = new Set(allFunctions().map((fn) => fn.name));
    expect(TARGET_KB).toBeLessThanOrEqual(DEFAULT_BUDGET_KB);
    for (const [name, exception] of Object.entries(BUDGET_EXCEPTIONS_KB)) {
      expect(names.has(name), name).toBe(true);
      expect(exception.kb, name).toBeGreaterThan(DEFAULT_BUDGET_KB);
      expect(exception.why.length, name).toBeGreaterThan(10);
    }
  });

  it.each(REPRESENTATIVE)('%s stays within its budget', (name) => {
    expect(bundles.get(name)!.bytes, name).toBeLessThanOrEqual(budgetKb(name) * 1024);
  });

  it("holds only the SDK clients a function's needs reach", () => {
    expect(bundles.get('default')!.packages.filter(([pkg]) => pkg.startsWith('@aws-sdk/client-'))).toEqual([]);
    for (const pkg of ['@aws-sdk/client-s3', '@aws-sdk/client-sesv2', '@aws-sdk/client-sqs', 'jose'])
      expect(has('typing', pkg), pkg).toBe(false);
    expect(has('typing', '@aws-sdk/client-dynamodb')).toBe(true);
    expect(has('typing', '@upstash/redis')).toBe(true);
    expect(has('auth-guest', 'jose')).toBe(true);
    expect(has('message', '@aws-sdk/client-s3')).toBe(true);
    expect(has('ticket-writes', '@aws-sdk/client-sesv2')).toBe(true);
    expect(has('router', '@aws-sdk/client-sqs')).toBe(true);
    expect(has('router', '@aws-sdk/client-s3')).toBe(false);
    for (const pkg of ['@aws-sdk/client-dynamodb', '@upstash/redis']) expect(has('rotate-signing-keys', pkg), pkg).toBe(false);
    expect(has('rotate-signing-keys', '@aws-sdk/client-secrets-manager')).toBe(true);
  });

  it("holds zod's English messages but no other locale", () => {
    for (const [name, bundle] of bundles) {
      const locales = bundle.inputs.filter((input) => input.includes('/zod/v4/locales/'));
      expect(
        locales.map((input) => input.slice(input.lastIndexOf('/') + 1)),
        name,
      ).toEqual(['en.js']);
    }
  });

  it('runs: the bundled $default handler answers an unknown action with the protocol error', async () => {
    const { handler } = (await import(pathToFileURL(bundles.get('default')!.file).href)) as {
      handler: (event: { body: string; isBase64Encoded: boolean }) => Promise<{ statusCode: number; body: string }>;
    };
    const result = await handler({ body: JSON.stringify({ action: 'dance' }), isBase64Encoded: false });
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toMatchObject({ type: 'error', code: 'unknown_action' });
  });
});
