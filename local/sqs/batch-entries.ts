import type { JsonObject } from './request-input';
import { requireObjectList } from './request-input';
import { SqsError } from './sqs-errors';

const MAX_BATCH_ENTRIES = 10;
const ENTRY_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

export interface BatchResult<T> {
  Successful: T[];
  Failed: BatchFailure[];
}

/** Reads `Entries` and applies SQS's batch-level checks (count, ids). */
export function readBatchEntries(input: JsonObject): Array<JsonObject & { Id: string }> {
  const entries = requireObjectList(input, 'Entries');
  if (entries.length === 0) {
    throw new SqsError(
      'EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
      400,
      'AWS.SimpleQueueService.EmptyBatchRequest',
    );
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
      400,
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    );
  }
  const seen = new Set<string>();
  return entries.map((entry) => {
    const id = entry.Id;
    if (typeof id !== 'string' || !ENTRY_ID_PATTERN.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        400,
        'AWS.SimpleQueueService.InvalidBatchEntryId',
      );
    }
    if (seen.has(id)) {
      throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, 400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct');
    }
    seen.add(id);
    return { ...entry, Id: id };
  });
}

/** Runs `operation` per entry; an SqsError fails only that entry, as batch APIs do. */
export function runBatch<E extends { Id: string }, T>(entries: readonly E[], operation: (entry: E) => T): BatchResult<T> {
  const result: BatchResult<T> = { Successful: [], Failed: [] };
  for (const entry of entries) {
    try {
      result.Successful.push(operation(entry));
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      result.Failed.push({ Id: entry.Id, SenderFault: error.senderFault, Code: error.queryCode, Message: error.message });
    }
  }
  return result;
}
