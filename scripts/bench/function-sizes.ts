/**
 * Per Lambda function: its bundle's size (esbuild with the options lib/constructs/parley-function.ts
 * gives CDK) and its cold import time (the median of fresh `node` processes importing the bundle).
 * Part of `npm run bench`; runs alone too: `npx tsx scripts/bench/function-sizes.ts [name...]`.
 * FUNCTION_IMPORT_RUNS sets how many processes time each import (default 9).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions } from '../../lib/constructs/parley-function';
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
export async function bundleFunction(fn: FunctionEntry, dir: string): Promise<FunctionSize> {
  const outfile = join(dir, fn.name, 'index.mjs');
  const result = await build({
    ...esbuildOptions(fn.needs),
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
  return { name: fn.name, entry: fn.entry, bytes: statSync(outfile).size, packages: packagesOf(result.metafile), inputs, file: outfile };
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
): Promise<FunctionSizesReport> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-function-sizes-'));
  // The packages CDK installs beside the bundle (BUNDLING.nodeModules: re2-wasm) resolve from here.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  try {
    const functions = allFunctions().filter((fn) => names.length === 0 || names.includes(fn.name));
    const lines = [
      `Function bundles (minified, no source map) and cold import (median of ${runs} fresh node processes, ${process.version})`,
    ];
    const sizes: (FunctionSize & { importMs: number })[] = [];
    for (const fn of functions) {
      const size = await bundleFunction(fn, dir);
      const importMs = medianImportMilliseconds(size.file, runs);
      sizes.push({ ...size, importMs });
      const over = size.bytes > budgetKb(fn.name) * 1024 ? `  OVER its ${budgetKb(fn.name)} KB budget` : '';
      lines.push(`  ${fn.name.padEnd(26)} ${kb(size.bytes).padStart(8)}  ${importMs.toFixed(1).padStart(6)} ms${over}`);
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
    const overBudget = sizes.filter((size) => size.bytes > budgetKb(size.name) * 1024).map((size) => size.name);
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
