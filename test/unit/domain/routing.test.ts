import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankCandidates, servesSkill, type AgentAvailability } from '../../../functions/domain/routing';
import { estimateWaitSeconds } from '../../../functions/domain/queue';

const agent = (overrides: Partial<AgentAvailability> & { id: string }): AgentAvailability => ({
  name: overrides.id,
  status: 'online',
  skills: ['billing'],
  load: 0,
  capacity: 3,
  idleSince: '2026-11-27T08:00:00.000Z',
  ...overrides,
});

describe('routing decisions', () => {
  it('serves the default skill with every agent and other skills only when listed', () => {
    expect(servesSkill({ skills: [] }, 'general', 'general')).toBe(true);
    expect(servesSkill({ skills: ['billing'] }, 'tech', 'general')).toBe(false);
    expect(servesSkill({ skills: ['billing', 'tech'] }, 'tech', 'general')).toBe(true);
  });

  it('skips agents who are away, offline, full or without the skill', () => {
    const ranked = rankCandidates(
      [
        agent({ id: 'away', status: 'away' }),
        agent({ id: 'offline', status: 'offline' }),
        agent({ id: 'full', load: 3 }),
        agent({ id: 'tech-only', skills: ['tech'] }),
        agent({ id: 'ok' }),
      ],
      'billing',
      'general',
    );
    expect(ranked.map((a) => a.id)).toEqual(['ok']);
  });

  it('prefers the lowest load ratio, then the agent idle longest', () => {
    const ranked = rankCandidates(
      [
        agent({ id: 'half', load: 1, capacity: 2 }),
        agent({ id: 'third-recent', load: 1, capacity: 3, idleSince: '2026-11-27T08:10:00.000Z' }),
        agent({ id: 'third-long-idle', load: 1, capacity: 3, idleSince: '2026-11-27T07:00:00.000Z' }),
        agent({ id: 'empty', load: 0, capacity: 1 }),
      ],
      'billing',
      'general',
    );
    expect(ranked.map((a) => a.id)).toEqual(['empty', 'third-long-idle', 'third-recent', 'half']);
  });

  it('only ever ranks eligible agents, whatever the input', () => {
    const arbitraryAgent = fc.record({
      id: fc.string({ minLength: 1, maxLength: 8 }),
      name: fc.string(),
      status: fc.constantFrom('online' as const, 'away' as const, 'offline' as const),
      skills: fc.array(fc.constantFrom('billing', 'tech', 'sales')),
      load: fc.nat(5),
      capacity: fc.integer({ min: 1, max: 5 }),
      idleSince: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    });
    let rankedSeveral = 0;
    fc.assert(
      fc.property(fc.array(arbitraryAgent), fc.constantFrom('billing', 'tech', 'general'), (agents, skill) => {
        const ranked = rankCandidates(agents, skill, 'general');
        // Every eligible agent is ranked, and nobody else: an empty ranking must not pass.
        const eligible = agents.filter((a) => a.status === 'online' && a.load < a.capacity && servesSkill(a, skill, 'general'));
        expect(ranked).toHaveLength(eligible.length);
        expect(new Set(ranked)).toEqual(new Set(eligible));
        for (let i = 1; i < ranked.length; i++) {
          const [a, b] = [ranked[i - 1]!, ranked[i]!];
          expect(a.load / a.capacity).toBeLessThanOrEqual(b.load / b.capacity);
          if (a.load * b.capacity === b.load * a.capacity) expect(a.idleSince <= b.idleSince).toBe(true);
        }
        if (eligible.length > 1) rankedSeveral += 1;
      }),
    );
    // The generator does produce rankings worth checking the order of.
    expect(rankedSeveral).toBeGreaterThanOrEqual(3);
  });

  it('estimates waits from position and agents serving', () => {
    expect(estimateWaitSeconds(1, 1, 240)).toBe(240);
    expect(estimateWaitSeconds(4, 2, 240)).toBe(480);
    expect(estimateWaitSeconds(3, 0, 100)).toBe(300);
    expect(estimateWaitSeconds(0, 3)).toBe(0);
  });
});
