/** Routes a client can never select with a frame: they belong to the connection lifecycle. */
const LIFECYCLE_ROUTES = new Set(['$connect', '$disconnect']);

export interface FrameSelection {
  /** The route to invoke, or undefined when neither an action route nor `$default` exists. */
  readonly routeKey: string | undefined;
  readonly body: string;
  readonly isBase64Encoded: boolean;
}

function actionOf(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>).action : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Route selection for `$request.body.action`: a JSON object whose string `action` names a
 * configured route goes there; anything else (other actions, non-JSON text, binary frames)
 * goes to `$default`.
 */
export function selectRoute(data: Buffer, isBinary: boolean, routeKeys: ReadonlySet<string>): FrameSelection {
  const fallback = routeKeys.has('$default') ? '$default' : undefined;
  if (isBinary) return { routeKey: fallback, body: data.toString('base64'), isBase64Encoded: true };
  const body = data.toString('utf8');
  const action = actionOf(body);
  const routeKey = typeof action === 'string' && routeKeys.has(action) && !LIFECYCLE_ROUTES.has(action) ? action : fallback;
  return { routeKey, body, isBase64Encoded: false };
}

/** The route response a handler's result carries: a string, or an object's string `body`. */
export function routeResponseBody(result: unknown): string | undefined {
  if (typeof result === 'string') return result;
  if (typeof result === 'object' && result !== null) {
    const { body } = result as { body?: unknown };
    if (typeof body === 'string') return body;
  }
  return undefined;
}
