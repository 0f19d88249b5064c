import * as z from '../../shared/zod';
import type { RoutingTrigger } from '../../ports/routing-queue';

const TRIGGER_TYPES = ['conversation.queued', 'agent.available', 'agent.lost', 'agent.left'] as const;

const triggerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('conversation.queued'),
    conversationId: z.string().check(z.minLength(1)),
    skill: z.optional(z.string().check(z.minLength(1))),
  }),
  z.object({ type: z.literal('agent.available'), agentId: z.string().check(z.minLength(1)) }),
  z.object({ type: z.literal('agent.lost'), agentId: z.string().check(z.minLength(1)) }),
  z.object({ type: z.literal('agent.left'), agentId: z.string().check(z.minLength(1)), disconnectedAt: z.iso.datetime() }),
]);

/** A body that fails the same way on every delivery: retrying it only delays the DLQ. */
export interface PermanentFailure {
  readonly errorClass: 'MalformedJson' | 'UnknownTriggerType' | 'InvalidTrigger';
  readonly errorMessage: string;
}

export type ParsedTrigger = { readonly trigger: RoutingTrigger } | { readonly permanent: PermanentFailure };

export function parseTriggerBody(body: string): ParsedTrigger {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { permanent: { errorClass: 'MalformedJson', errorMessage: error instanceof Error ? error.message : String(error) } };
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (!TRIGGER_TYPES.includes(type as (typeof TRIGGER_TYPES)[number])) {
    return {
      permanent: { errorClass: 'UnknownTriggerType', errorMessage: `Unknown routing trigger type: ${JSON.stringify(type) ?? 'none'}` },
    };
  }
  const parsed = triggerSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    return { permanent: { errorClass: 'InvalidTrigger', errorMessage: issues } };
  }
  return { trigger: parsed.data };
}
