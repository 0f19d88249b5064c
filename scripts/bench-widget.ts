import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { WEB_ASSET_PATHS, buildWebAssets } from '../clients/build';

/** The widget's budget from the issue: what a host page downloads, gzipped. */
export const WIDGET_GZIP_BUDGET_BYTES = 60 * 1024;

export interface BundleSize {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Builds the pages as they are deployed and measures each bundle, raw and gzipped (level 9, as CDNs serve it at best). */
export async function measureWebBundles(): Promise<BundleSize[]> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-bench-web-'));
  try {
    await buildWebAssets(dir);
    const files = [WEB_ASSET_PATHS.widget, 'console/console.js', 'console/console.css'];
    return await Promise.all(
      files.map(async (file) => {
        const content = await readFile(join(dir, file));
        return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Prints the sizes; returns false when the widget is over its budget. */
export async function benchWidgetBundle(): Promise<boolean> {
  const sizes = await measureWebBundles();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log('\nWeb bundles (esbuild, minified)\n');
  console.log('| file | raw | gzipped |');
  console.log('|---|---:|---:|');
  for (const size of sizes) console.log(`| ${size.file} | ${kb(size.bytes)} | ${kb(size.gzipBytes)} |`);
  const widget = sizes.find((size) => size.file === WEB_ASSET_PATHS.widget)!;
  const within = widget.gzipBytes <= WIDGET_GZIP_BUDGET_BYTES;
  console.log(
    `\nwidget.js: ${kb(widget.gzipBytes)} gzipped, budget ${kb(WIDGET_GZIP_BUDGET_BYTES)}: ${within ? 'within budget' : 'OVER BUDGET'}`,
  );
  return within;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const within = await benchWidgetBundle();
  process.exit(within ? 0 : 1);
}
