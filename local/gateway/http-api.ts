import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { newGatewayId } from './aws-formats';
import {
  DEFAULT_CORS_ALLOW_HEADERS,
  DEFAULT_CORS_MAX_AGE_SECONDS,
  corsResponseHeaders,
  isPreflight,
  preflightHeaders,
  type CorsPolicy,
} from './cors';
import { httpApiEvent } from './http-api-event';
import { INTERNAL_SERVER_ERROR, httpResponseFromResult, jsonResponse, type HttpResponseParts } from './http-api-result';
import { HttpApiRouter, type HttpApiRoute } from './http-api-router';
import { describeError, invokeLambda } from './lambda-handler';
import { closeServer, hostWithPort, listen } from './listen';
import { readBody } from './request-body';

export type { HttpApiRoute } from './http-api-router';

export interface HttpApiOptions {
  /** 0 picks an ephemeral port. */
  port: number;
  /** Default '127.0.0.1'. */
  host?: string;
  routes: HttpApiRoute[];
  /** Default ['*']. */
  corsAllowOrigins?: string[];
  /** Called for requests no API route matches (used later to serve web pages). Return false to fall through to 404. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;
  /** Default 10 MB (HTTP API's payload limit); larger bodies get 413. */
  maxBodyBytes?: number;
  /** Default 'local'; reported as requestContext.apiId. */
  apiId?: string;
  /** Environment variable named in the error when the port is busy, e.g. 'HTTP_PORT'. */
  portEnvName?: string;
  /** Structured log sink; one line per routed request. */
  logger?: (line: Record<string, unknown>) => void;
}

export interface HttpApi {
  /** http://<host>:<port> */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const functionNameFor = (route: HttpApiRoute): string =>
  route.name ?? `http-${route.method}${route.path}`.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-+$/, '');

function writeResponse(res: ServerResponse, parts: HttpResponseParts, extraHeaders: Record<string, string>): void {
  res.writeHead(parts.status, { ...parts.headers, ...extraHeaders, 'content-length': String(parts.body.length) });
  res.end(parts.body);
}

/** Emulates an API Gateway HTTP API with Lambda proxy integrations (payload format 2.0). */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApi> {
  const host = options.host ?? '127.0.0.1';
  const router = new HttpApiRouter(options.routes);
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const apiId = options.apiId ?? 'local';
  const cors: CorsPolicy = {
    allowOrigins: options.corsAllowOrigins ?? ['*'],
    allowMethods: router.methods(),
    allowHeaders: [...DEFAULT_CORS_ALLOW_HEADERS],
    maxAgeSeconds: DEFAULT_CORS_MAX_AGE_SECONDS,
  };
  const log = (line: Record<string, unknown>): void => options.logger?.({ source: 'http-api', ...line });

  const server = createServer();
  const port = await listen(server, options.port, host, options.portEnvName);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newGatewayId();
    const origin = req.headers.origin;
    const apiHeaders = { ...corsResponseHeaders(cors, origin), 'apigw-requestid': requestId };
    if (isPreflight(req)) {
      res.writeHead(204, { ...preflightHeaders(cors, origin), 'apigw-requestid': requestId }).end();
      return;
    }
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : target.slice(queryAt + 1);
    const match = router.match(req.method ?? 'GET', rawPath);
    if (!match) {
      if (options.fallback && (await options.fallback(req, res))) return;
      writeResponse(res, jsonResponse(404, { message: 'Not Found' }), apiHeaders);
      return;
    }
    const read = await readBody(req, maxBodyBytes);
    if (read.kind === 'too-large') {
      writeResponse(res, jsonResponse(413, { message: 'Request Entity Too Large' }), apiHeaders);
      return;
    }
    const event = httpApiEvent({
      req,
      rawPath,
      rawQueryString,
      routeKey: match.routeKey,
      pathParameters: match.pathParameters,
      body: read.body,
      apiId,
      requestId,
      localPort: port,
    });
    const outcome = await invokeLambda(match.route.handler, event, functionNameFor(match.route));
    const response = outcome.ok ? httpResponseFromResult(outcome.value) : INTERNAL_SERVER_ERROR();
    log({
      routeKey: match.routeKey,
      requestId,
      ms: outcome.ms,
      status: response.status,
      ...(outcome.ok ? {} : { error: describeError(outcome.error) }),
    });
    writeResponse(res, response, apiHeaders);
  }

  server.on('request', (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log({ event: 'request-failed', detail: describeError(error) });
      if (!res.headersSent) writeResponse(res, INTERNAL_SERVER_ERROR(), {});
      else res.destroy();
    });
  });

  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostWithPort(host, port)}`,
    port,
    close: () => {
      closed ??= closeServer(server);
      return closed;
    },
  };
}
