import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';

export type HandlerOutcome = { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown };

/**
 * Which records Lambda deletes after an invocation. With ReportBatchItemFailures every
 * record not named in `batchItemFailures` is deleted, unless the response is malformed
 * (not a list, or an identifier that is empty or not in the batch): then, like a thrown
 * handler, nothing is deleted and the whole batch is retried.
 */
export function recordsToDelete(records: readonly SQSRecord[], outcome: HandlerOutcome, reportBatchItemFailures: boolean): SQSRecord[] {
  if (outcome.kind === 'threw') return [];
  if (!reportBatchItemFailures) return [...records];
  const response = outcome.value;
  if (response === undefined || response === null || typeof response !== 'object') return [...records];
  const failures = (response as Partial<SQSBatchResponse>).batchItemFailures;
  if (failures === undefined || failures === null) return [...records];
  if (!Array.isArray(failures)) return [];
  const batchIds = new Set(records.map((record) => record.messageId));
  const failedIds = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || !batchIds.has(id)) return [];
    failedIds.add(id);
  }
  return records.filter((record) => !failedIds.has(record.messageId));
}
