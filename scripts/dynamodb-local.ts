import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * Runs AWS's DynamoDB Local on this machine for the conformance run (docs/conformance.md):
 * the official jar, as shipped inside the npm package amplify-dynamodb-simulator, fetched
 * with `npm pack` into a cache outside the repo and run with the machine's Java (17+).
 */
const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator';
/** Pinned: 2.9.30 ships DynamoDB Local 1.25.1. */
const SIMULATOR_VERSION = '2.9.30';

const USAGE = `Usage: npm run dynamodb-local -- [--port 8000] [--data DIR]

Runs DynamoDB Local (the official jar from the npm package ${SIMULATOR_PACKAGE}@${SIMULATOR_VERSION},
cached in \${PARLEY_CACHE_DIR:-~/.cache/parley}) with the machine's Java 17+. In memory unless
--data. It listens on every interface. Then point Parley at it:

  DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npm start
  DYNAMODB_ENDPOINT=http://127.0.0.1:8000 npx vitest run test/integration/routing-load.test.ts`;

const ARG_OPTIONS = {
  port: { type: 'string', default: '8000' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function cacheDir(): string {
  return process.env.PARLEY_CACHE_DIR || join(homedir(), '.cache', 'parley');
}

/** The directory holding DynamoDBLocal.jar, fetched and unpacked on first use. */
async function dynamoDbLocalDir(): Promise<string> {
  const root = join(cacheDir(), `${SIMULATOR_PACKAGE}-${SIMULATOR_VERSION}`);
  const emulator = join(root, 'package', 'emulator');
  if (existsSync(join(emulator, 'DynamoDBLocal.jar'))) return emulator;
  await mkdir(root, { recursive: true });
  console.error(`Fetching ${SIMULATOR_PACKAGE}@${SIMULATOR_VERSION} into ${root} (once)...`);
  const pack = spawnSync('npm', ['pack', `${SIMULATOR_PACKAGE}@${SIMULATOR_VERSION}`, '--pack-destination', root, '--silent'], {
    encoding: 'utf8',
  });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr || pack.stdout}`);
  const tarball = (await readdir(root)).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no tarball in ${root}`);
  const untar = spawnSync('tar', ['xzf', join(root, tarball), '-C', root, 'package/emulator'], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  await rm(join(root, tarball));
  if (!existsSync(join(emulator, 'DynamoDBLocal.jar'))) throw new Error(`${SIMULATOR_PACKAGE} has no emulator/DynamoDBLocal.jar`);
  return emulator;
}

function assertJava(): void {
  const version = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    throw new Error('DynamoDB Local needs Java 17 or later on the PATH (`java -version` failed)');
  }
  const major = Number(/version "(\d+)/.exec(version.stderr)?.[1] ?? 0);
  if (major > 0 && major < 17) throw new Error(`DynamoDB Local needs Java 17 or later; found ${major}`);
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs<{ options: typeof ARG_OPTIONS }>>['values'];
  try {
    args = parseArgs({ options: ARG_OPTIONS }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  assertJava();
  const emulator = await dynamoDbLocalDir();
  const storage = args.data ? ['-dbPath', resolve(args.data)] : ['-inMemory'];
  if (args.data) await mkdir(args.data, { recursive: true });
  const java = spawn(
    'java',
    [
      `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(emulator, 'DynamoDBLocal.jar'),
      ...storage,
      '-port',
      args.port,
      '-disableTelemetry',
    ],
    // DynamoDB Local writes a metadata file into its working directory: keep it in the cache.
    { stdio: 'inherit', cwd: emulator },
  );
  console.log(`DynamoDB Local: DYNAMODB_ENDPOINT=http://127.0.0.1:${args.port} (every interface)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => java.kill(signal));
  java.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
