import { describe, expect, it } from 'vitest';
import { interpretSesEvent } from '../../../functions/domain/mail-events';

const AT = '2026-11-30T23:00:00.000Z';

describe('SES bounce and complaint notifications', () => {
  it('a permanent bounce marks each bounced recipient, lower-cased, with the diagnostic', () => {
    const outcome = interpretSesEvent(
      {
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'NoEmail',
          timestamp: '2026-11-30T22:59:00.000Z',
          bouncedRecipients: [{ emailAddress: 'Ann@Customer.example', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
        },
        mail: {},
      },
      AT,
    );
    expect(outcome).toEqual({
      kind: 'suppress',
      addresses: [
        {
          email: 'ann@customer.example',
          status: 'bounced',
          reason: 'Permanent/NoEmail: smtp; 550 5.1.1 user unknown',
          at: '2026-11-30T22:59:00.000Z',
        },
      ],
    });
  });

  it('identity notifications (notificationType) are read the same way; complaints mark as complained', () => {
    const outcome = interpretSesEvent(
      {
        notificationType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: 'bob@customer.example' }], complaintFeedbackType: 'abuse' },
      },
      AT,
    );
    expect(outcome).toEqual({
      kind: 'suppress',
      addresses: [{ email: 'bob@customer.example', status: 'complained', reason: 'Complaint: abuse', at: AT }],
    });
  });

  it('transient bounces, deliveries, sends and junk mark nothing', () => {
    expect(
      interpretSesEvent(
        { eventType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'a@b.example' }] } },
        AT,
      ),
    ).toMatchObject({
      kind: 'ignored',
    });
    expect(interpretSesEvent({ eventType: 'Delivery', delivery: {} }, AT)).toMatchObject({ kind: 'ignored' });
    expect(interpretSesEvent({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: 'x' } }, AT)).toMatchObject({
      kind: 'ignored',
    });
    expect(interpretSesEvent('text', AT)).toMatchObject({ kind: 'ignored' });
    expect(interpretSesEvent(null, AT)).toMatchObject({ kind: 'ignored' });
  });
});
