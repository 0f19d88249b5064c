import { dispatchInProcess } from './dispatch';
import type { InProcessEndpoints } from './endpoints';

/**
 * `fetch` for the local endpoints served in this process: @upstash/redis reaches its REST
 * endpoint with the global fetch (it takes no transport option), so while a local stack runs
 * the global fetch hands requests for its registered origins to the server in memory; every
 * other URL goes to the fetch that was there before. Several stacks in one process share the
 * one interceptor.
 */
const registries = new Set<InProcessEndpoints>();
let installed: { readonly fetch: typeof fetch; readonly next: typeof fetch } | undefined;

function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return undefined;
}

/** Statuses whose Response must not carry a body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

async function inProcessFetch(
  fallback: typeof fetch,
  input: Parameters<typeof fetch>[0],
  init?: Parameters<typeof fetch>[1],
): Promise<Response> {
  if (input instanceof Request || registries.size === 0) return fallback(input, init);
  const url = new URL(input);
  let listener: ReturnType<InProcessEndpoints['listenerFor']>;
  for (const registry of registries) listener ??= registry.listenerFor(url.origin);
  const body = bodyBytes(init?.body);
  if (!listener || !body) return fallback(input, init);
  const headers: Record<string, string> = { host: url.host };
  new Headers(init?.headers).forEach((value, name) => {
    headers[name] = value;
  });
  try {
    const answer = await dispatchInProcess(listener, {
      method: (init?.method ?? 'GET').toUpperCase(),
      url: `${url.pathname}${url.search}`,
      headers,
      body,
      signal: init?.signal ?? undefined,
    });
    return new Response(NULL_BODY.has(answer.statusCode) ? null : new Uint8Array(answer.body), {
      status: answer.statusCode,
      headers: answer.headers,
    });
  } catch (error) {
    if (init?.signal?.aborted) throw init.signal.reason ?? error;
    // What undici throws for a reset connection.
    throw new TypeError('fetch failed', { cause: error });
  }
}

/** Serves `endpoints`' origins to the global fetch until the returned function is called. */
export function interceptFetch(endpoints: InProcessEndpoints): () => void {
  registries.add(endpoints);
  if (!installed) {
    const next = globalThis.fetch;
    const intercepting = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
      inProcessFetch(next, input, init)) as typeof fetch;
    installed = { fetch: intercepting, next };
    globalThis.fetch = intercepting;
  }
  return () => {
    registries.delete(endpoints);
    if (registries.size > 0 || !installed) return;
    // Someone wrapped the interceptor since: it stays in their chain and, with no endpoints
    // left, passes everything on.
    if (globalThis.fetch === installed.fetch) globalThis.fetch = installed.next;
    installed = undefined;
  };
}
