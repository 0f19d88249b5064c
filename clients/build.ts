import { copyFileSync, mkdirSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, buildSync, type BuildOptions } from 'esbuild';

const CLIENTS_DIR = dirname(fileURLToPath(import.meta.url));

/** Files the pages are built into, relative to the output folder (config.js is written per deployment). */
export const WEB_ASSET_PATHS = {
  widget: 'widget.js',
  console: 'console/index.html',
  demo: 'demo/index.html',
  config: 'config.js',
} as const;

/** Static files copied as they are: [source under clients/, destination under the output folder]. */
const STATIC_FILES: ReadonlyArray<readonly [string, string]> = [
  ['console/index.html', 'console/index.html'],
  ['console/console.css', 'console/console.css'],
  // The Reports view's charts (uPlot's own stylesheet).
  ['../node_modules/uplot/dist/uPlot.min.css', 'console/uplot.css'],
  ['web/demo.html', 'demo/index.html'],
  ['web/demo-settings.js', 'demo/demo-settings.js'],
];

function bundles(outDir: string): BuildOptions[] {
  const common: BuildOptions = {
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    legalComments: 'none',
    logLevel: 'silent',
    charset: 'utf8',
  };
  return [
    { ...common, entryPoints: [join(CLIENTS_DIR, 'widget/index.ts')], outfile: join(outDir, WEB_ASSET_PATHS.widget) },
    { ...common, entryPoints: [join(CLIENTS_DIR, 'console/index.ts')], outfile: join(outDir, 'console/console.js') },
  ];
}

/** Builds the widget, the agent console and the demo host page into `outDir` (esbuild; well under a second). */
export async function buildWebAssets(outDir: string): Promise<void> {
  await Promise.all(bundles(outDir).map((options) => build(options)));
  for (const [from, to] of STATIC_FILES) {
    await mkdir(dirname(join(outDir, to)), { recursive: true });
    await copyFile(join(CLIENTS_DIR, from), join(outDir, to));
  }
}

/** The same, synchronously: the CDK app builds the folder it deploys while it constructs the stack. */
export function buildWebAssetsSync(outDir: string): void {
  for (const options of bundles(outDir)) buildSync(options);
  for (const [from, to] of STATIC_FILES) {
    mkdirSync(dirname(join(outDir, to)), { recursive: true });
    copyFileSync(join(CLIENTS_DIR, from), join(outDir, to));
  }
}

/** The deployment's endpoints as the pages read them: `config.js` sets `window.PARLEY_CONFIG`. */
export function configScript(endpoints: { httpUrl: string; wsUrl: string }): string {
  return `window.PARLEY_CONFIG=${JSON.stringify({ httpUrl: endpoints.httpUrl, wsUrl: endpoints.wsUrl })};\n`;
}
