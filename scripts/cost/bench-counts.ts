import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The request counts `npm run bench` measures, as JSON: what `npm run cost` prices. Bench
 * always writes DEFAULT_COUNTS_PATH (gitignored); `npm run cost -- --write-measured` copies a
 * counts file to MEASURED_COUNTS_PATH, the committed fallback, with its commit and date.
 */
export const DEFAULT_COUNTS_PATH = '.bench/counts.json';
export const MEASURED_COUNTS_PATH = 'scripts/cost/measured-counts.json';

const count = z.number().int().nonnegative();
const SERVICE_NAMES = ['dynamodb', 'sqs', 'managementApi', 'redis'] as const;
export type CountedService = (typeof SERVICE_NAMES)[number];

const stepRow = z.strictObject({
  /** The bench step (a protocol action, e.g. `message`). */
  step: z.string().min(1),
  /** The Lambda function that made the requests (one invocation per row is assumed). */
  function: z.string().min(1),
  counts: z.strictObject({ dynamodb: count, sqs: count, managementApi: count, redis: count }),
  /** Requests by SDK command name per service (absent in counts taken from a printed table). */
  commands: z.partialRecord(z.enum(SERVICE_NAMES), z.record(z.string(), count)).default({}),
  /**
   * DynamoDB write capacity by SDK command name: the table's units and its index entries'
   * (scripts/bench/write-capacity.ts). Absent in counts taken before bench metered them, or for
   * a function that wrote nothing.
   */
  capacity: z.record(z.string(), z.strictObject({ writeUnits: count, indexWriteUnits: count })).optional(),
});
export type StepRow = z.infer<typeof stepRow>;

export const benchCountsSchema = z.strictObject({
  schema: z.literal(1),
  /** When and at which commit (`+dirty` with uncommitted changes) bench measured these. */
  measuredAt: z.string().min(1),
  commit: z.string().min(1),
  /** Where the numbers come from (bench, or a note on how they were taken). */
  source: z.string().optional(),
  steps: z.array(stepRow).min(1),
});
export type BenchCounts = z.infer<typeof benchCountsSchema>;

export class BenchCountsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchCountsError';
  }
}

/** The current commit, `+dirty` when the tree has uncommitted changes; `unknown` outside git. */
export function currentCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return 'unknown';
  }
}

interface BenchRow {
  readonly step: string;
  readonly fn: string;
  readonly counts: Readonly<Record<CountedService, number>>;
  readonly commands: Partial<Record<CountedService, Record<string, number>>>;
  readonly capacity?: Readonly<Record<string, { readonly writeUnits: number; readonly indexWriteUnits: number }>>;
}

/** Writes bench's rows as counts JSON (to `path`, else DEFAULT_COUNTS_PATH) and returns the path. */
export async function writeBenchCounts(rows: readonly BenchRow[], path = DEFAULT_COUNTS_PATH, now = new Date()): Promise<string> {
  const counts: BenchCounts = {
    schema: 1,
    measuredAt: now.toISOString(),
    commit: currentCommit(),
    source:
      'npm run bench (scripts/bench.ts): requests per protocol action on the local stack, counted by client middleware; DynamoDB write units metered',
    steps: rows.map((row) => ({
      step: row.step,
      function: row.fn,
      counts: { ...row.counts },
      commands: row.commands,
      ...(row.capacity ? { capacity: { ...row.capacity } } : {}),
    })),
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(counts, null, 2)}\n`);
  return path;
}

export function parseBenchCounts(text: string, path: string): BenchCounts {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BenchCountsError(`${path} is not JSON`, { cause: error });
  }
  const parsed = benchCountsSchema.safeParse(json);
  if (!parsed.success) throw new BenchCountsError(`${path} is not a bench counts file: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function readBenchCounts(path: string): Promise<BenchCounts> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BenchCountsError(`Cannot read ${path}; run npm run bench first, or leave out --counts`, { cause: error });
  }
  return parseBenchCounts(text, path);
}
