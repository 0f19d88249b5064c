import { describe, expect, it } from 'vitest';
import { formatRanges, parseClosed, parseRanges } from '../../../clients/console/hours-settings';

const complain = (text: string) => `bad: ${text}`;

describe('the hours settings form', () => {
  it('reads and writes weekly ranges, overnight ones included', () => {
    const ranges = parseRanges(' 09:00-12:00, 13:00 - 17:00,22:00-06:00 ', complain);
    expect(ranges).toEqual([
      { from: '09:00', to: '12:00' },
      { from: '13:00', to: '17:00' },
      { from: '22:00', to: '06:00' },
    ]);
    expect(formatRanges(ranges)).toBe('09:00-12:00, 13:00-17:00, 22:00-06:00');
    expect(parseRanges('', complain)).toEqual([]);
    expect(() => parseRanges('9-5', complain)).toThrow('bad: 9-5');
  });

  it('reads closed dates and ranges with labels', () => {
    expect(parseClosed('2026-12-24..2026-12-26 Christmas\n\n2027-01-01', complain)).toEqual([
      { from: '2026-12-24', to: '2026-12-26', label: 'Christmas' },
      { from: '2027-01-01' },
    ]);
    expect(() => parseClosed('Christmas', complain)).toThrow('bad: Christmas');
  });
});
