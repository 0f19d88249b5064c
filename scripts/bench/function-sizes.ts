/**
 * Per Lambda function: its bundle's size (esbuild with the options lib/constructs/parley-function.ts
 * gives CDK), what it is made of, and its cold import time (the median of fresh `node` processes
 * importing the bundle). Part of `npm run bench`; runs alone too:
 * `npx tsx scripts/bench/function-sizes.ts [name...]`.
 * - FUNCTION_IMPORT_RUNS: how many processes time each import (default 9).
 * - FUNCTION_TRACING=false: measure the bundles of a deployment with the `tracing` context value
 *   off (no Tracer); by default, the deployed default (tracing on). The size of the other variant
 *   is printed beside it either way.
 * - FUNCTION_METAFILE_DIR: also write each bundle's esbuild metafile there (`<name>.json`, for
 *   `esbuild --analyze`-style tools such as https://esbuild.github.io/analyze/).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { type BundleSettings, DEFAULT_BUNDLE_SETTINGS, esbuildOptions } from '../../lib/constructs/parley-function';
import { allFunctions, type FunctionEntry } from '../../functions/routes';
import { budgetKb, TARGET_KB } from './function-budgets';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface FunctionSize {
  readonly name: string;
  readonly entry: string;
  /** The minified bundle, without its source map. */
  readonly bytes: number;
  /** Input bytes per package (or `(app)` for the repository's own code), largest first. */
  readonly packages: readonly (readonly [string, number])[];
  /** The input files that put bytes into the bundle. */
  readonly inputs: readonly string[];
  readonly file: string;
  readonly metafile: Metafile;
}

/** What a bundle is made of, in the groups the budgets speak of (scripts/bench/function-budgets.ts). */
export const PART_OF = {
  sdk: (pkg: string) => pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') || pkg === '@aws/lambda-invoke-store',
  zod: (pkg: string) => pkg === 'zod',
  upstash: (pkg: string) => pkg.startsWith('@upstash/'),
  // The Tracer and what only it brings: the X-Ray SDK and its dependencies.
  tracer: (pkg: string) =>
    pkg === '@aws-lambda-powertools/tracer' ||
    ['aws-xray-sdk-core', 'semver', 'cls-hooked', 'emitter-listener', 'shimmer', 'async-hook-jl', 'stack-chain'].includes(pkg),
  powertools: (pkg: string) => pkg.startsWith('@aws-lambda-powertools/'),
  app: (pkg: string) => pkg === '(app)',
} as const;
export type Part = keyof typeof PART_OF | 'other';

/** Bytes per part (the first part whose test a package passes), from a bundle's packages. */
export function partsOf(packages: FunctionSize['packages']): Record<Part, number> {
  const parts: Record<Part, number> = { sdk: 0, zod: 0, upstash: 0, tracer: 0, powertools: 0, app: 0, other: 0 };
  for (const [pkg, bytes] of packages) {
    const part = (Object.keys(PART_OF) as (keyof typeof PART_OF)[]).find((candidate) => PART_OF[candidate](pkg)) ?? 'other';
    parts[part] += bytes;
  }
  return parts;
}

/** The package an input path belongs to (`@scope/name`, `name`), or `(app)`. */
function packageOf(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return '(app)';
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function packagesOf(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      totals.set(packageOf(path), (totals.get(packageOf(path)) ?? 0) + input.bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** Bundles one function as CDK would into `dir`; its size and what it is made of. */
export async function bundleFunction(
  fn: FunctionEntry,
  dir: string,
  settings: BundleSettings = DEFAULT_BUNDLE_SETTINGS,
): Promise<FunctionSize> {
  const outfile = join(dir, fn.name, 'index.mjs');
  const result = await build({
    ...esbuildOptions(fn.needs, settings),
    entryPoints: [join(ROOT, fn.entry)],
    outfile,
    metafile: true,
    logLevel: 'error',
  });
  const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  return {
    name: fn.name,
    entry: fn.entry,
    bytes: statSync(outfile).size,
    packages: packagesOf(result.metafile),
    inputs,
    file: outfile,
    metafile: result.metafile,
  };
}

/** Milliseconds a fresh `node` takes to import `file` (its module graph evaluated, no handler run). */
function importMilliseconds(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    // What Lambda sets that module scope reads; no AWS_EXECUTION_ENV, so tracing stays off.
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', POWERTOOLS_SERVICE_NAME: 'parley', NODE_OPTIONS: '' },
  });
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
  return Number(run.stdout);
}

export function medianImportMilliseconds(file: string, runs: number): number {
  const times = Array.from({ length: runs }, () => importMilliseconds(file)).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

export interface FunctionSizesReport {
  readonly text: string;
  /** Functions over their budget (scripts/bench/function-budgets.ts). */
  readonly overBudget: readonly string[];
}

/** The bench section: one line per function, then the largest packages of the largest bundle. */
export async function functionSizesSection(
  names: readonly string[] = [],
  runs = Number(process.env.FUNCTION_IMPORT_RUNS ?? 9),
  settings: BundleSettings = { tracing: process.env.FUNCTION_TRACING?.toLowerCase() !== 'false' },
): Promise<FunctionSizesReport> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-function-sizes-'));
  const otherDir = join(dir, 'other');
  const metafileDir = process.env.FUNCTION_METAFILE_DIR;
  if (metafileDir) mkdirSync(metafileDir, { recursive: true });
  // The packages CDK installs beside the bundle (BUNDLING.nodeModules: re2-wasm) resolve from here.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  try {
    const functions = allFunctions().filter((fn) => names.length === 0 || names.includes(fn.name));
    const other: BundleSettings = { tracing: !settings.tracing };
    const otherLabel = settings.tracing ? 'untraced' : 'traced';
    const lines = [
      `Function bundles (minified, no source map; tracing ${settings.tracing ? 'on' : 'off'}) and cold import (median of ${runs} fresh node processes, ${process.version})`,
      `  ${'function'.padEnd(26)} ${'size'.padStart(8)}  ${'import'.padStart(9)}  ${otherLabel.padStart(8)}   ${'sdk'.padStart(4)} ${'zod'.padStart(4)} ${'redis'.padStart(5)} ${'tracer'.padStart(6)} ${'powertools'.padStart(10)} ${'app'.padStart(4)} ${'other'.padStart(5)} (KB)`,
    ];
    const sizes: (FunctionSize & { importMs: number })[] = [];
    for (const fn of functions) {
      const size = await bundleFunction(fn, dir, settings);
      const otherSize = await bundleFunction(fn, otherDir, other);
      if (metafileDir) writeFileSync(join(metafileDir, `${fn.name}.json`), JSON.stringify(size.metafile));
      const importMs = medianImportMilliseconds(size.file, runs);
      sizes.push({ ...size, importMs });
      const parts = partsOf(size.packages);
      const over = size.bytes > budgetKb(fn.name) * 1024 ? `  OVER its ${budgetKb(fn.name)} KB budget` : '';
      const k = (bytes: number, width: number) => (bytes / 1024).toFixed(0).padStart(width);
      lines.push(
        `  ${fn.name.padEnd(26)} ${kb(size.bytes).padStart(8)}  ${importMs.toFixed(1).padStart(6)} ms  ${kb(otherSize.bytes).padStart(8)}   ${k(parts.sdk, 4)} ${k(parts.zod, 4)} ${k(parts.upstash, 5)} ${k(parts.tracer, 6)} ${k(parts.powertools, 10)} ${k(parts.app, 4)} ${k(parts.other, 5)}${over}`,
      );
    }
    const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const medianImport = [...sizes].sort((a, b) => a.importMs - b.importMs)[Math.floor(sizes.length / 2)]!.importMs;
    const medianSize = [...sizes].sort((a, b) => a.bytes - b.bytes)[Math.floor(sizes.length / 2)]!.bytes;
    lines.push(
      `  median ${kb(medianSize)} (target ${TARGET_KB} KB), largest ${largest.name} ${kb(largest.bytes)}; median cold import ${medianImport.toFixed(1)} ms`,
    );
    lines.push(
      `  ${largest.name} by package: ${largest.packages
        .slice(0, 10)
        .map(([name, bytes]) => `${name} ${kb(bytes)}`)
        .join(', ')}`,
    );
    const overBudget = settings.tracing ? sizes.filter((size) => size.bytes > budgetKb(size.name) * 1024).map((size) => size.name) : [];
    return { text: lines.join('\n'), overBudget };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = await functionSizesSection(process.argv.slice(2));
  console.log(report.text);
  if (report.overBudget.length > 0) {
    console.error(`Over budget: ${report.overBudget.join(', ')}`);
    process.exit(1);
  }
}
