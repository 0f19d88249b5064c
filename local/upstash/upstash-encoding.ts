import type { RedisReply } from './redis-backend';

/**
 * `Upstash-Encoding: base64`: every string in a result (at any depth) is sent base64
 * encoded so binary-safe values survive JSON; numbers and nulls are sent as they are.
 * @upstash/redis requests this by default and decodes it on receipt.
 */
export function encodeBase64Reply(reply: RedisReply): RedisReply {
  if (typeof reply === 'string') return Buffer.from(reply, 'utf8').toString('base64');
  if (Array.isArray(reply)) return reply.map(encodeBase64Reply);
  return reply;
}
