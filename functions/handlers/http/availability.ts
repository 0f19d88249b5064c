import { BadRequestError } from '../../domain/errors';
import { SKILL_PATTERN } from '../../domain/identity';
import { availabilityOf } from '../../services/availability';
import { assertSkillConfigured } from '../../services/skills';
import { httpHandler } from '../shared/http';

/** Short: a widget learns of a change within seconds, and a burst of page views reads Redis once per edge cache. */
export const AVAILABILITY_MAX_AGE_SECONDS = 5;

/** Public: whether anyone can answer a skill now (no token; per-IP limit). */
export const handler = httpHandler({ name: 'availability', authenticated: false }, async (ports, request) => {
  const skill = request.query.skill || ports.settings.defaultSkill;
  if (!SKILL_PATTERN.test(skill)) throw new BadRequestError('skill is 1-32 of a-z, 0-9, _ and -, starting with a letter or digit');
  await assertSkillConfigured(ports, skill);
  return {
    body: await availabilityOf(ports, skill),
    headers: { 'cache-control': `public, max-age=${AVAILABILITY_MAX_AGE_SECONDS}` },
  };
});
