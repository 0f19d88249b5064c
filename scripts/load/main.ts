import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseLoadArgs, USAGE } from './options';
import { renderHtml } from './report-html';
import { formatText } from './report-text';
import { runLoad } from './run';
import { LoadOptionError } from './schedule';

async function main(): Promise<void> {
  let cli: ReturnType<typeof parseLoadArgs>;
  try {
    cli = parseLoadArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof LoadOptionError) {
      console.error(`${error.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw error;
  }
  if (cli.help) {
    console.log(USAGE);
    return;
  }
  const command = `npm run load -- ${process.argv.slice(2).join(' ')}`.trim();
  const report = await runLoad({ ...cli.load, log: (line) => console.error(`load: ${line}`) }, command);
  console.log(formatText(report));
  await mkdir(dirname(cli.reportPath), { recursive: true });
  await writeFile(cli.reportPath, renderHtml(report));
  await writeFile(`${cli.reportPath.replace(/\.html?$/, '')}.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nReport: ${cli.reportPath}`);
  const failed =
    report.baselineFailure !== undefined || report.runs.some((run) => run.unacked + run.undelivered + run.refused + run.setupFailures > 0);
  process.exit(failed ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(`load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
