import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { formatRequestTime } from './aws-formats';
import { LOCAL_ACCOUNT_ID } from './lambda-context';

export interface HttpEventInput {
  readonly req: IncomingMessage;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
  readonly body: Buffer;
  readonly apiId: string;
  readonly requestId: string;
  readonly localPort: number;
}

/**
 * HTTP API passes bodies as text only for textual media types; everything else (including
 * form posts and bodies without a content type) arrives base64-encoded.
 */
export function isTextualContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    mediaType.startsWith('text/') ||
    /^application\/([\w.-]+\+)?(json|xml)$/.test(mediaType) ||
    mediaType === 'application/javascript' ||
    mediaType === 'application/ecmascript'
  );
}

const sourceIpOf = (req: IncomingMessage): string => (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');

/** Lower-cased names; repeated headers joined with commas; cookies moved to `cookies`. */
function eventHeaders(req: IncomingMessage, sourceIp: string, localPort: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (name !== 'cookie' && values) headers[name] = values.join(',');
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']},${sourceIp}` : sourceIp;
  headers['x-forwarded-port'] = String(localPort);
  headers['x-forwarded-proto'] = 'http';
  return headers;
}

function eventCookies(req: IncomingMessage): string[] {
  return (req.headersDistinct.cookie ?? [])
    .flatMap((header) => header.split(';'))
    .map((cookie) => cookie.trim())
    .filter((cookie) => cookie !== '');
}

function eventQuery(rawQueryString: string): Record<string, string> {
  const grouped: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) grouped[name] = [...(grouped[name] ?? []), value];
  return Object.fromEntries(Object.entries(grouped).map(([name, values]) => [name, values.join(',')]));
}

/** Translates a Node request into the Lambda proxy event of an HTTP API (payload format 2.0). */
export function httpApiEvent(input: HttpEventInput): APIGatewayProxyEventV2 {
  const { req, body } = input;
  const now = new Date();
  const sourceIp = sourceIpOf(req);
  const domainName = req.headers.host ?? `127.0.0.1:${input.localPort}`;
  const method = (req.method ?? 'GET').toUpperCase();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString,
    headers: eventHeaders(req, sourceIp, input.localPort),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: input.apiId,
      domainName,
      domainPrefix: domainName.split(':')[0]?.split('.')[0] ?? domainName,
      http: {
        method,
        path: input.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: input.requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  const cookies = eventCookies(req);
  if (cookies.length > 0) event.cookies = cookies;
  if (input.rawQueryString !== '') event.queryStringParameters = eventQuery(input.rawQueryString);
  if (Object.keys(input.pathParameters).length > 0) event.pathParameters = { ...input.pathParameters };
  if (body.length > 0) {
    const textual = isTextualContentType(req.headers['content-type']);
    event.body = body.toString(textual ? 'utf8' : 'base64');
    event.isBase64Encoded = !textual;
  }
  return event;
}
