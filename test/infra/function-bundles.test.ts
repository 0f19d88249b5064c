import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFunctions } from '../../functions/routes';
import { esbuildOptions } from '../../lib/constructs/parley-function';
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

/** Built again for a deployment with the `tracing` context value off. */
const UNTRACED = ['default', 'typing'] as const;

const dir = mkdtempSync(join(tmpdir(), 'parley-bundles-'));
const bundles = new Map<string, FunctionSize>();
const untraced = new Map<string, FunctionSize>();

beforeAll(
  async () => {
    symlinkSync(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
    for (const name of REPRESENTATIVE) {
      const fn = allFunctions().find((candidate) => candidate.name === name)!;
      bundles.set(name, await bundleFunction(fn, dir));
    }
    for (const name of UNTRACED) {
      const fn = allFunctions().find((candidate) => candidate.name === name)!;
      untraced.set(name, await bundleFunction(fn, join(dir, 'untraced'), { tracing: false }));
    }
  },
  budget(REPRESENTATIVE.length + UNTRACED.length),
);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const has = (name: string, pkg: string, from = bundles) => from.get(name)!.packages.some(([candidate]) => candidate === pkg);

/** The Node credential chain's links beyond the environment, and the nested clients they use. */
const CREDENTIAL_CHAIN = [
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
];

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

  it('takes SDK credentials from the environment only: no other link of the Node credential chain', () => {
    for (const [name, bundle] of bundles) {
      const chain = bundle.packages.map(([pkg]) => pkg).filter((pkg) => CREDENTIAL_CHAIN.includes(pkg));
      expect(chain, name).toEqual([]);
      const hasClient = bundle.packages.some(([pkg]) => pkg.startsWith('@aws-sdk/client-'));
      expect(has(name, '@aws-sdk/credential-provider-env'), name).toBe(hasClient);
    }
  });

  it('holds the Tracer and the X-Ray SDK only when the deployment traces', () => {
    for (const pkg of ['@aws-lambda-powertools/tracer', 'aws-xray-sdk-core']) {
      for (const name of UNTRACED) {
        expect(has(name, pkg), `${name} ${pkg}`).toBe(true);
        expect(has(name, pkg, untraced), `untraced ${name} ${pkg}`).toBe(false);
      }
    }
    for (const name of UNTRACED) expect(untraced.get(name)!.bytes, name).toBeLessThan(bundles.get(name)!.bytes - 100 * 1024);
  });

  it('runs: an SDK client in a bundle signs with the credentials Lambda puts in the environment, and with nothing else', async () => {
    const entry = join(dir, 'credentials-entry.mjs');
    writeFileSync(
      entry,
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const credentials = () => new DynamoDBClient({ region: 'us-east-1' }).config.credentials();\n",
    );
    const outfile = join(dir, 'credentials', 'index.mjs');
    await build({ ...esbuildOptions({ table: 'read' }), entryPoints: [entry], outfile, logLevel: 'error' });
    const { credentials } = (await import(pathToFileURL(outfile).href)) as {
      credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
    };
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: 'AKIDLAMBDA',
        AWS_SECRET_ACCESS_KEY: 'lambda-secret',
        AWS_SESSION_TOKEN: 'lambda-token',
      });
      delete process.env.AWS_PROFILE;
      expect(await credentials()).toMatchObject({
        accessKeyId: 'AKIDLAMBDA',
        secretAccessKey: 'lambda-secret',
        sessionToken: 'lambda-token',
      });
      // The default chain would go on to the INI files, SSO and the metadata services; this one stops.
      delete process.env.AWS_ACCESS_KEY_ID;
      await expect(credentials()).rejects.toThrow('Unable to find environment variable credentials');
    } finally {
      for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it("holds zod/mini with zod's English messages: no other locale, none of zod's classic API", () => {
    for (const [name, bundle] of bundles) {
      expect(
        bundle.inputs.filter((input) => input.includes('/zod/v4/classic/')),
        name,
      ).toEqual([]);
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
