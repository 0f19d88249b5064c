// one-off: before (/work/main, old options) vs after (this tree), imports interleaved under the same load
import { mkdtempSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { allFunctions } from '../../functions/routes';
import { bundleFunction, medianImportMilliseconds } from './function-sizes';
const dir = mkdtempSync(join(tmpdir(), 'cmp-'));
symlinkSync('/work/main/node_modules', join(dir, 'node_modules'));
const runs = Number(process.env.RUNS ?? 7);
const names = process.argv.slice(2);
const fns = allFunctions().filter((f) => names.length === 0 || names.includes(f.name));
for (const fn of fns) {
  const beforeFile = join(dir, 'before', fn.name, 'index.mjs');
  await build({ absWorkingDir: '/work/main', entryPoints: [join('/work/main', fn.entry)], bundle: true, platform: 'node', target: 'node22', format: 'esm', minify: true, sourcemap: true, mainFields: ['module', 'main'], banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" }, external: ['re2-wasm'], outfile: beforeFile, logLevel: 'error' });
  const after = await bundleFunction(fn, join(dir, 'after'));
  const b = medianImportMilliseconds(beforeFile, runs);
  const a = medianImportMilliseconds(after.file, runs);
  console.log(`| ${fn.name} | ${(statSync(beforeFile).size / 1024).toFixed(0)} | ${(after.bytes / 1024).toFixed(0)} | ${b.toFixed(0)} | ${a.toFixed(0)} |`);
}
