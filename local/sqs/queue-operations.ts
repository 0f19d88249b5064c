import type { QueueStore } from './queue-store';
import type { JsonObject } from './request-input';
import { optionalInteger, optionalString, optionalStringList, optionalStringMap, requireString } from './request-input';
import { invalidParameter } from './sqs-errors';

/** CreateQueue, GetQueueUrl, ListQueues, attributes, DeleteQueue and PurgeQueue. */
export const queueOperations = {
  CreateQueue(store: QueueStore, input: JsonObject) {
    const queue = store.createQueue(requireString(input, 'QueueName'), optionalStringMap(input, 'Attributes'));
    return { QueueUrl: queue.url };
  },

  GetQueueUrl(store: QueueStore, input: JsonObject) {
    return { QueueUrl: store.getQueue(requireString(input, 'QueueName')).url };
  },

  GetQueueAttributes(store: QueueStore, input: JsonObject) {
    const queue = store.getQueueByUrl(requireString(input, 'QueueUrl'));
    const names = optionalStringList(input, 'AttributeNames');
    return { Attributes: store.getQueueAttributes(queue.name, names) };
  },

  SetQueueAttributes(store: QueueStore, input: JsonObject) {
    const queue = store.getQueueByUrl(requireString(input, 'QueueUrl'));
    store.setQueueAttributes(queue.name, optionalStringMap(input, 'Attributes'));
    return {};
  },

  ListQueues(store: QueueStore, input: JsonObject) {
    const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
    const maxResults = optionalInteger(input, 'MaxResults');
    if (maxResults !== undefined && (maxResults < 1 || maxResults > 1000)) {
      throw invalidParameter('MaxResults', maxResults, 'Must be between 1 and 1000.');
    }
    const nextToken = optionalString(input, 'NextToken');
    const after = nextToken ? Buffer.from(nextToken, 'base64url').toString('utf8') : undefined;
    const matching = store.listQueues(prefix).filter((queue) => after === undefined || queue.name > after);
    const page = matching.slice(0, maxResults ?? 1000);
    const last = page.at(-1);
    const more = maxResults !== undefined && matching.length > page.length && last;
    return {
      QueueUrls: page.map((queue) => queue.url),
      ...(more ? { NextToken: Buffer.from(last.name, 'utf8').toString('base64url') } : {}),
    };
  },

  DeleteQueue(store: QueueStore, input: JsonObject) {
    store.deleteQueue(store.getQueueByUrl(requireString(input, 'QueueUrl')).name);
    return {};
  },

  PurgeQueue(store: QueueStore, input: JsonObject) {
    store.purgeQueue(store.getQueueByUrl(requireString(input, 'QueueUrl')).name);
    return {};
  },
};
