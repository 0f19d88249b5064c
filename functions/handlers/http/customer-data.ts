import { BadRequestError } from '../../domain/errors';
import { exportCustomer } from '../../services/customer-data';
import { httpHandler } from '../shared/http';

/**
 * Customers' data rights (docs/data-rights.md), admins only, one function for its routes
 * dispatched on the route key: `GET /v1/customers/{id}/export` answers a presigned GET of the
 * customer's archive.
 */
export const handler = httpHandler({ name: 'customer-data', authenticated: true }, async (ports, request, user) => {
  const customerId = request.params.id ?? '';
  switch (request.routeKey) {
    case 'GET /v1/customers/{id}/export':
      if (Object.keys(request.query).length > 0) throw new BadRequestError('The export takes no query parameters');
      return { body: await exportCustomer(ports, user!, customerId) };
    default:
      throw new BadRequestError(`No customer-data route ${request.routeKey}`);
  }
});
