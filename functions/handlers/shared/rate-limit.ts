import { RateLimitedError, UnavailableError } from '../../domain/errors';
import { LIMIT_RULES, type LimitCheck, type LimitRuleName } from '../../domain/limits';
import type { DirectoryLookup } from '../../ports/connection-directory';
import type { RateDecision } from '../../ports/rate-limiter';
import type { Ports } from '../../services/context';
import { logger, metrics, MetricUnit } from '../../shared/observability';

/** What a caller refused for want of Redis is told to wait: long enough for a blip to pass. */
export const LIMITS_UNAVAILABLE_RETRY_MS = 5_000;

/**
 * A limit whose counter could not be read: logged and counted as `RateLimitFailOpen` or
 * `RateLimitFailClosed` twice, with only the service dimension (what the alarm watches) and
 * with a `rule` dimension (single-metric EMF lines, so rules of one request never share a
 * dimension set).
 */
function recordFallback(rule: LimitRuleName, reason: string): void {
  const policy = LIMIT_RULES[rule].failPolicy;
  const name = policy === 'open' ? 'RateLimitFailOpen' : 'RateLimitFailClosed';
  metrics.singleMetric().addMetric(name, MetricUnit.Count, 1);
  const byRule = metrics.singleMetric();
  byRule.addDimension('rule', rule);
  byRule.addMetric(name, MetricUnit.Count, 1);
  logger.warn(
    policy === 'open' ? 'Rate limit unavailable; the request was let through' : 'Rate limit unavailable; the request was refused',
    {
      rule,
      failPolicy: policy,
      reason,
    },
  );
}

/**
 * Takes every counter of a request in one round trip. Over any limit: rate_limited with the
 * longest wait. A counter that cannot be read follows its rule's fail policy: open lets the
 * request through, closed refuses it with `unavailable` and a retry hint.
 */
export async function enforceLimits(ports: Ports, checks: readonly LimitCheck[]): Promise<void> {
  if (checks.length === 0) return;
  applyDecisions(checks, await ports.rateLimiter.consume(checks));
}

/** The rules the directory's admit counts itself (the `message` route's with a conversation). */
const DIRECTORY_RULES: readonly LimitRuleName[] = ['message', 'messagePerUser'];

/**
 * The `message` route's limits and its recipients' connections in one Redis command
 * (docs/connection-directory.md), with enforceLimits' outcomes and fail policies. Without a
 * directory, a conversation id, or with other rules to count (a first message also counts
 * `start`, which fails closed), it is enforceLimits and the recipients are read at the push.
 */
export function admitMessage(ports: Ports, checks: readonly LimitCheck[], conversationId: unknown): Promise<DirectoryLookup | undefined> {
  return admitWithRecipients(ports, checks, conversationId, DIRECTORY_RULES);
}

/**
 * A conversation action's limits (only `rules`, all fail-open) and its recipients'
 * connections in one Redis command: `message`, `typing` and `read` (docs/connection-directory.md).
 * Anything else (no directory, no conversation id, another rule) is enforceLimits.
 */
export async function admitWithRecipients(
  ports: Ports,
  checks: readonly LimitCheck[],
  conversationId: unknown,
  rules: readonly LimitRuleName[],
): Promise<DirectoryLookup | undefined> {
  const directory = ports.connectionDirectory;
  if (!directory || typeof conversationId !== 'string' || !checks.every((check) => rules.includes(check.rule))) {
    await enforceLimits(ports, checks);
    return undefined;
  }
  const admitted = await directory.admit(checks, conversationId);
  applyDecisions(checks, admitted.decisions);
  return admitted.recipients;
}

function applyDecisions(checks: readonly LimitCheck[], decisions: readonly RateDecision[]): void {
  let limited: { rule: LimitRuleName; retryAfterMs: number } | undefined;
  let closedRule: LimitRuleName | undefined;
  for (const [index, decision] of decisions.entries()) {
    const { rule } = checks[index]!;
    if (decision.outcome === 'limited') {
      if (!limited || decision.retryAfterMs > limited.retryAfterMs) limited = { rule, retryAfterMs: decision.retryAfterMs };
    } else if (decision.outcome === 'unknown') {
      recordFallback(rule, decision.reason);
      if (LIMIT_RULES[rule].failPolicy === 'closed') closedRule ??= rule;
    }
  }
  if (limited) throw new RateLimitedError(LIMIT_RULES[limited.rule].refusal, limited.retryAfterMs);
  if (closedRule) {
    throw new UnavailableError('Parley cannot check its abuse limits right now; try again shortly', LIMITS_UNAVAILABLE_RETRY_MS);
  }
}
