#!/usr/bin/env node
// Reads vitest JSON reports and prints what CI must show: passed, failed and skipped counts,
// and the names of failed and skipped files and tests. Exits 1 when a test or a file failed,
// when a report is missing (a run whose setup died reads as a failure, never as "0 failed"),
// or, with --fail-on-skip, when a skipped test is not on the allowlist.
//
// usage: node .ci/summarize.mjs [--fail-on-skip] [--allowlist FILE] LABEL=REPORT.json ...
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const args = process.argv.slice(2);
const failOnSkip = args.includes('--fail-on-skip');
const allowlistAt = args.indexOf('--allowlist');
const allowlistFile = allowlistAt >= 0 ? args[allowlistAt + 1] : undefined;
const reports = args.filter((arg, index) => arg.includes('=') && (allowlistAt < 0 || index !== allowlistAt + 1));

/** Allowlist lines: `path/of/file.test.ts > part of the test's full name`, then `# why`. */
function readAllowlist(file) {
  if (!file) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((line) => {
      const [path, ...title] = line.split('>');
      return { path: path.trim(), title: title.join('>').trim() };
    });
}

const allowlist = readAllowlist(allowlistFile);
const allowed = (file, name) => allowlist.some((entry) => file === entry.path && (entry.title === '' || name.includes(entry.title)));

/** The first lines of a failure's message, indented under its name: CI logs are read from the end. */
function why(messages) {
  const lines = (messages ?? [])
    .join('\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '' && !/^\s+at /.test(line))
    .slice(0, 30);
  return lines.length === 0 ? '' : `\n      ${lines.map((line) => line.slice(0, 300)).join('\n      ')}`;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const skips = [];
let unallowedSkips = 0;

for (const spec of reports) {
  const [label, path] = spec.split(/=(.*)/s);
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    totals.failed += 1;
    failures.push(`${label}: no test report (${error.code ?? error.message}): the run died before reporting`);
    continue;
  }
  for (const file of report.testResults ?? []) {
    const name = relative(process.cwd(), file.name);
    const results = file.assertionResults ?? [];
    let fileFailed = 0;
    for (const test of results) {
      if (test.status === 'passed') totals.passed += 1;
      else if (test.status === 'failed') {
        totals.failed += 1;
        fileFailed += 1;
        failures.push(`${label}: ${name} > ${test.fullName}${why(test.failureMessages)}`);
      } else {
        totals.skipped += 1;
        const ok = allowed(name, test.fullName);
        if (!ok) unallowedSkips += 1;
        skips.push(`${label}: ${name} > ${test.fullName}${ok ? ' (allowed)' : ''}`);
      }
    }
    // A file that failed outside any test (an import error, a failed hook) counts as one failure.
    if (file.status === 'failed' && fileFailed === 0) {
      totals.failed += 1;
      const reason = String(file.message ?? '').split('\n')[0];
      failures.push(`${label}: ${name} (the file failed outside its tests${reason ? `: ${reason}` : ''})`);
    }
  }
  if ((report.testResults ?? []).length === 0) {
    totals.failed += 1;
    failures.push(`${label}: the report lists no test file`);
  }
}

const list = (title, lines) => {
  if (lines.length === 0) return;
  console.log(`\n${title}:`);
  for (const line of lines) console.log(`  - ${line}`);
};
list('Failed', failures);
list('Skipped', skips);
if (failOnSkip && unallowedSkips > 0) {
  console.log(
    `\n${unallowedSkips} skipped test(s) are not on the allowlist (${allowlistFile ?? 'none given'}): in CI a skip is a failure.`,
  );
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || (failOnSkip && unallowedSkips > 0) ? 1 : 0);
