import { describe, expect, it } from 'vitest';
import type { ConversationSummary, TransferredFrame } from '../../../clients/parley-client/src/index';
import { summaryAfterTransfer, transferredAwayFrom } from '../../../clients/parley-client/src/index';

const billie = { id: 'agent-billing', name: 'Billie' };
const tess = { id: 'agent-tech', name: 'Tess' };
const assigned: ConversationSummary = {
  id: 'c1',
  status: 'assigned',
  customer: { id: 'guest:ann' },
  skill: 'billing',
  agent: billie,
  lastSeq: 3,
  createdAt: 't',
  updatedAt: 't',
};
const frame = (to: TransferredFrame['to'], from: TransferredFrame['from'] = { agent: billie }): TransferredFrame => ({
  type: 'transferred',
  conversationId: 'c1',
  from,
  to,
});

describe('summaryAfterTransfer', () => {
  it('to an agent: assigned to them', () => {
    expect(summaryAfterTransfer(assigned, frame({ agent: tess }))).toMatchObject({ status: 'assigned', agent: tess });
  });

  it('to a skill: waiting in that skill, with no agent', () => {
    const next = summaryAfterTransfer(assigned, frame({ skill: 'tech' }));
    expect(next).toMatchObject({ status: 'queued', skill: 'tech' });
    expect(next).not.toHaveProperty('agent');
  });

  it('ignores a frame older than the summary (the next agent already has it) and closed conversations', () => {
    const withTess = { ...assigned, agent: tess };
    expect(summaryAfterTransfer(withTess, frame({ skill: 'tech' }))).toBeUndefined();
    expect(summaryAfterTransfer({ ...assigned, status: 'closed' }, frame({ agent: tess }))).toBeUndefined();
  });

  it('says when it went away from a user', () => {
    expect(transferredAwayFrom(frame({ agent: tess }), billie.id)).toBe(true);
    expect(transferredAwayFrom(frame({ skill: 'tech' }), billie.id)).toBe(true);
    expect(transferredAwayFrom(frame({ agent: tess }), tess.id)).toBe(false);
  });
});
