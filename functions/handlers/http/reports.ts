import { z } from 'zod';
import { BadRequestError } from '../../domain/errors';
import { getReport, listRatings, reportCsv } from '../../services/reports';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

const reportQuery = z.strictObject({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write from as YYYY-MM-DD (a UTC day)'),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'write to as YYYY-MM-DD (a UTC day)'),
  groupBy: z.enum(['day', 'agent', 'skill']).default('day'),
  format: z.enum(['json', 'csv']).default('json'),
});

const ratingsQuery = z.strictObject({
  agent: z.string().min(1).max(128),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).max(512).optional(),
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
