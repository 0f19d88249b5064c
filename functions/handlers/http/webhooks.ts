import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from '../../shared/zod';
import { createWebhookSchema, updateWebhookSchema } from '../../domain/webhooks';
import {
  createWebhook,
  DEFAULT_LOG_PAGE,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  MAX_LOG_PAGE,
  testWebhook,
  updateWebhook,
} from '../../services/webhooks';
import { getWiring } from '../../wiring';
import { httpHandler } from '../shared/http';
import { validate } from '../shared/parse';

/**
 * Webhooks admin API (docs/webhooks.md), every route in one function dispatching on the route
 * key. Reads count as `webhooks` (apiRead), changes as `webhooks-change` (settingsChange).
 */
const READ = { name: 'webhooks', authenticated: true } as const;
const CHANGE = { name: 'webhooks-change', authenticated: true } as const;

const deliveriesQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(MAX_LOG_PAGE)), DEFAULT_LOG_PAGE),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
});

const webhooks = () => getWiring().webhooks;

const routes: Record<string, (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>> = {
  'GET /v1/webhooks': httpHandler(READ, async (_ports, _request, user) => ({ body: { webhooks: await listWebhooks(webhooks(), user!) } })),
  'POST /v1/webhooks': httpHandler({ ...CHANGE, body: createWebhookSchema }, async (_ports, request, user) => ({
    status: 201,
    body: await createWebhook(webhooks(), user!, request.body),
  })),
  'GET /v1/webhooks/{id}': httpHandler(READ, async (_ports, request, user) => ({
    body: { webhook: await getWebhook(webhooks(), user!, request.params.id) },
  })),
  'PUT /v1/webhooks/{id}': httpHandler({ ...CHANGE, body: updateWebhookSchema }, async (_ports, request, user) => ({
    body: await updateWebhook(webhooks(), user!, request.params.id, request.body),
  })),
  'DELETE /v1/webhooks/{id}': httpHandler(CHANGE, async (_ports, request, user) => {
    await deleteWebhook(webhooks(), user!, request.params.id);
    return { body: { deleted: request.params.id } };
  }),
  'GET /v1/webhooks/{id}/deliveries': httpHandler(READ, async (_ports, request, user) => {
    const { limit, cursor } = validate(deliveriesQuery, request.query);
    return { body: await listDeliveries(webhooks(), user!, request.params.id, limit, cursor) };
  }),
  'POST /v1/webhooks/{id}/test': httpHandler(CHANGE, async (_ports, request, user) => ({
    status: 202,
    body: await testWebhook(webhooks(), user!, request.params.id),
  })),
};

/** The route keys this function serves (functions/routes.ts lists the same). */
export const WEBHOOK_ROUTE_KEYS = Object.keys(routes);

export const handler = async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  const route = routes[event.routeKey];
  if (!route) {
    return {
      statusCode: 404,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ error: { code: 'not_found', message: `No route ${event.routeKey}` } }),
    };
  }
  return route(event, context);
};
