import { BadRequestError, ForbiddenError } from '../domain/errors';
import type { User } from '../domain/identity';
import { interpretSesEvent } from '../domain/mail-events';
import type { Ports } from './context';

/** Applies one SES notification (the SNS message text): marks bounced or complaining addresses. */
export async function applySesEvent(ports: Ports, messageText: string): Promise<number> {
  let message: unknown;
  try {
    message = JSON.parse(messageText);
  } catch {
    ports.log.warn('SES event is not JSON; ignored');
    return 0;
  }
  const outcome = interpretSesEvent(message, ports.clock.now().toISOString());
  if (outcome.kind === 'ignored') {
    ports.log.info('SES event ignored', { reason: outcome.reason });
    return 0;
  }
  for (const address of outcome.addresses) {
    await ports.emailAddresses.mark(address);
    // The address itself is personal data: log its domain only.
    ports.log.info('Address marked; Parley will not mail it again', { status: address.status, domain: address.email.split('@')[1] });
  }
  return outcome.addresses.length;
}

/** Marked addresses for supervisors and admins (GET /v1/mail/suppressions). */
export async function listSuppressions(ports: Ports, user: User, cursor: string | undefined, limit = 100) {
  if (user.role !== 'supervisor' && user.role !== 'admin') throw new ForbiddenError('Only supervisors and admins see suppressed addresses');
  if (cursor !== undefined && !/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw new BadRequestError('cursor is not one this API gave');
  const page = await ports.emailAddresses.listSuppressed(limit, cursor);
  return { addresses: page.addresses, ...(page.next ? { next: page.next } : {}) };
}
