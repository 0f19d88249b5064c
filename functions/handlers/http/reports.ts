import * as z from '../../shared/zod';
import { BadRequestError } from '../../domain/errors';
import { getReport, listRatings, reportCsv } from '../../services/reports';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const reportQuery = z.strictObject({
  from: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'write from as YYYY-MM-DD (a UTC day)')),
  to: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'write to as YYYY-MM-DD (a UTC day)')),
  groupBy: z._default(z.enum(['day', 'agent', 'skill']), 'day'),
  format: z._default(z.enum(['json', 'csv']), 'json'),
});

const ratingsQuery = z.strictObject({
  agent: z.string().check(z.minLength(1), z.maxLength(128)),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)), 25),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
});

/**
 * Reports (docs/reports.md), both routes in one function: `GET /v1/reports` (JSON, or CSV with
 * `format=csv`) and `GET /v1/reports/ratings`. Supervisors and admins only.
 */
export const handler = httpHandler({ name: 'reports', authenticated: true }, async (ports, request, user) => {
  switch (request.routeKey) {
    case 'GET /v1/reports': {
      const query = validate(reportQuery, request.query);
      const report = await getReport(ports, user!, query);
      if (query.format === 'csv') {
        return {
          body: undefined,
          text: reportCsv(report),
          headers: {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': `attachment; filename="parley-report-${query.groupBy}-${query.from}-${query.to}.csv"`,
          },
        };
      }
      return { body: report };
    }
    case 'GET /v1/reports/ratings':
      return { body: await listRatings(ports, user!, validate(ratingsQuery, request.query)) };
    default:
      throw new BadRequestError(`No report route ${request.routeKey}`);
  }
});
