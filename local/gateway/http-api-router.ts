import type { LambdaHandler } from './lambda-handler';

export interface HttpApiRoute {
  /** An HTTP method, or 'ANY'. */
  method: string;
  /** An HTTP API path with `{param}` and a final greedy `{param+}` placeholders, or '$default'. */
  path: string;
  handler: LambdaHandler;
  /** Function name reported in the Lambda context; derived from the route when absent. */
  name?: string;
}

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

interface CompiledRoute {
  readonly route: HttpApiRoute;
  readonly routeKey: string;
  readonly method: string;
  /** Undefined for the `$default` catch-all. */
  readonly segments: readonly Segment[] | undefined;
  readonly rank: readonly number[];
}

export interface RouteMatch {
  readonly route: HttpApiRoute;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

function parseSegment(text: string, path: string): Segment {
  const placeholder = /^\{([A-Za-z0-9_.-]+)(\+?)\}$/.exec(text);
  if (!placeholder) {
    if (text.includes('{') || text.includes('}')) throw new Error(`Invalid HTTP API route path "${path}": bad placeholder "${text}"`);
    return { kind: 'literal', text };
  }
  const name = placeholder[1] as string;
  return placeholder[2] === '+' ? { kind: 'greedy', name } : { kind: 'param', name };
}

function compile(route: HttpApiRoute): CompiledRoute {
  const method = route.method.toUpperCase();
  if (route.path === '$default') {
    return { route, routeKey: '$default', method: 'ANY', segments: undefined, rank: [0, 0, 0, 0] };
  }
  if (!route.path.startsWith('/')) throw new Error(`Invalid HTTP API route path "${route.path}": it must start with '/'`);
  const segments = route.path
    .split('/')
    .slice(1)
    .map((text) => parseSegment(text, route.path));
  const greedyAt = segments.findIndex((segment) => segment.kind === 'greedy');
  if (greedyAt !== -1 && greedyAt !== segments.length - 1) {
    throw new Error(`Invalid HTTP API route path "${route.path}": a greedy {param+} must be the last segment`);
  }
  const literals = segments.filter((segment) => segment.kind === 'literal').length;
  // Most specific wins, as in HTTP API: no greedy variable, then more literal segments, then an explicit method over ANY.
  const rank = [1, greedyAt === -1 ? 1 : 0, literals, method === 'ANY' ? 0 : 1];
  return { route, routeKey: `${method} ${route.path}`, method, segments, rank };
}

function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function matchSegments(segments: readonly Segment[], pathSegments: readonly string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const actual = pathSegments[index];
    if (segment.kind === 'greedy') {
      const rest = pathSegments.slice(index);
      if (rest.length === 0 || rest.join('') === '') return undefined;
      parameters[segment.name] = decodeSegment(rest.join('/'));
      return parameters;
    }
    if (actual === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (actual !== segment.text) return undefined;
    } else {
      if (actual === '') return undefined;
      parameters[segment.name] = decodeSegment(actual);
    }
  }
  return segments.length === pathSegments.length ? parameters : undefined;
}

const compareRank = (a: readonly number[], b: readonly number[]): number => {
  for (let index = 0; index < a.length; index += 1) {
    const difference = (b[index] ?? 0) - (a[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
};

/** Chooses the route for a request the way HTTP API does: the most specific match wins. */
export class HttpApiRouter {
  private readonly compiled: readonly CompiledRoute[];

  constructor(routes: readonly HttpApiRoute[]) {
    this.compiled = routes.map(compile).sort((a, b) => compareRank(a.rank, b.rank));
    const keys = new Set<string>();
    for (const { routeKey } of this.compiled) {
      if (keys.has(routeKey)) throw new Error(`Duplicate HTTP API route "${routeKey}"`);
      keys.add(routeKey);
    }
  }

  /** Methods to advertise in CORS preflights. */
  methods(): string[] {
    const methods = new Set(this.compiled.map((route) => route.method));
    return methods.has('ANY') ? ['*'] : [...methods].sort();
  }

  match(method: string, rawPath: string): RouteMatch | undefined {
    const pathSegments = rawPath.split('/').slice(1);
    const upperMethod = method.toUpperCase();
    for (const candidate of this.compiled) {
      if (candidate.method !== 'ANY' && candidate.method !== upperMethod) continue;
      if (candidate.segments === undefined) return { route: candidate.route, routeKey: candidate.routeKey, pathParameters: {} };
      const pathParameters = matchSegments(candidate.segments, pathSegments);
      if (pathParameters) return { route: candidate.route, routeKey: candidate.routeKey, pathParameters };
    }
    return undefined;
  }
}
