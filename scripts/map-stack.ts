/**
 * Maps a Lambda stack trace back to the TypeScript sources. Functions run without
 * --enable-source-maps (it costs on every stack trace, docs/operations.md "Source maps");
 * each bundle's map ships beside it (cdk.out/asset.<hash>/index.mjs.map).
 *   npx tsx scripts/map-stack.ts <index.mjs.map> < stack.txt
 * Every `index.mjs:<line>:<column>` in the input is replaced by `<source>:<line>:<column>`.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

export function mapStack(stack: string, map: SourceMap): string {
  return stack.replace(/index\.mjs:(\d+):(\d+)/g, (frame, line: string, column: string) => {
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!('originalSource' in entry)) return frame;
    return `${entry.originalSource.replace(/^.*?\/(functions|node_modules)\//, '$1/')}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

if (process.argv[1]?.endsWith('map-stack.ts')) {
  const [mapFile] = process.argv.slice(2);
  if (!mapFile) {
    console.error('usage: npx tsx scripts/map-stack.ts <index.mjs.map> < stack.txt');
    process.exit(2);
  }
  const map = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
  process.stdout.write(mapStack(readFileSync(0, 'utf8'), map));
}
