import * as z from '../../shared/zod';
import { BadRequestError } from '../../domain/errors';
import { eraseCustomer, exportCustomer } from '../../services/customer-data';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const eraseQuery = z.strictObject({
  force: z._default(z.enum(['true', 'false'], 'force must be true or false'), 'false'),
});

/**
 * Customers' data rights (docs/data-rights.md), admins only, one function for its routes
 * dispatched on the route key: `GET /v1/customers/{id}/export` answers a presigned GET of the
 * customer's archive; `DELETE /v1/customers/{id}` (`?force=true` closes conversations in
 * progress first) erases the customer.
 */
export const handler = httpHandler({ name: 'customer-data', authenticated: true }, async (ports, request, user) => {
  const customerId = request.params.id ?? '';
  switch (request.routeKey) {
    case 'GET /v1/customers/{id}/export':
      if (Object.keys(request.query).length > 0) throw new BadRequestError('The export takes no query parameters');
      return { body: await exportCustomer(ports, user!, customerId) };
    case 'DELETE /v1/customers/{id}': {
      const { force } = validate(eraseQuery, request.query);
      return { body: await eraseCustomer(ports, user!, customerId, { force: force === 'true' }) };
    }
    default:
      throw new BadRequestError(`No customer-data route ${request.routeKey}`);
  }
});
