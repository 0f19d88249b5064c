import { describe, expect, it } from 'vitest';
import { HTTP_ROUTES, WEBSOCKET_ROUTES } from '../../functions/routes';
import { expectedPeaks, ROUTE_RATE_FLOOR, throttleFor } from '../../lib/traffic-model';
import { logicalIdOf, synthParley } from './synth-parley';

type RouteSettings = Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;

const stageOf = (template: ReturnType<typeof synthParley>['template'], stageId: string) =>
  template.toJSON().Resources[stageId] as {
    Properties: { RouteSettings?: RouteSettings; DefaultRouteSettings?: { ThrottlingRateLimit: number } };
    DependsOn?: string[];
  };

describe('per-route stage throttles', () => {
  const { stack, template } = synthParley();
  const webSocketStage = stageOf(template, logicalIdOf(stack.realtime.stage));
  const httpStage = stageOf(template, logicalIdOf(stack.http.stage));

  it('gives every WebSocket route its own throttle, under the stage ceiling', () => {
    const settings = webSocketStage.Properties.RouteSettings ?? {};
    expect(Object.keys(settings).sort()).toEqual(WEBSOCKET_ROUTES.map((route) => route.routeKey).sort());
    for (const [routeKey, limits] of Object.entries(settings)) {
      expect(limits.ThrottlingRateLimit, routeKey).toBeGreaterThanOrEqual(ROUTE_RATE_FLOOR);
      expect(limits.ThrottlingRateLimit, routeKey).toBeLessThanOrEqual(500);
      expect(limits.ThrottlingBurstLimit, routeKey).toBeGreaterThanOrEqual(limits.ThrottlingRateLimit);
    }
    // The stage-wide limit stays, as the ceiling.
    expect(webSocketStage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 500 });
  });

  it('gives every HTTP route its own throttle, keyed METHOD /path', () => {
    const settings = httpStage.Properties.RouteSettings ?? {};
    expect(Object.keys(settings).sort()).toEqual(HTTP_ROUTES.map((route) => `${route.method} ${route.path}`).sort());
    // Sign-in is rare in the model: it sits at the floor, far below the stage.
    expect(settings['POST /v1/auth/login']).toEqual({ ThrottlingRateLimit: ROUTE_RATE_FLOOR, ThrottlingBurstLimit: 2 * ROUTE_RATE_FLOOR });
  });

  it('deploys each stage after its routes (API Gateway refuses settings for unknown route keys)', () => {
    const routeIds = [...stack.realtime.routes, ...stack.http.routes].map(({ route }) => logicalIdOf(route));
    const dependsOn = [...(webSocketStage.DependsOn ?? []), ...(httpStage.DependsOn ?? [])];
    for (const id of routeIds) expect(dependsOn, id).toContain(id);
  });

  it('sizes routes from the model: busier routes get more, and the inputs scale them', () => {
    const settings = webSocketStage.Properties.RouteSettings ?? {};
    const inputs = { expectedConcurrentCustomers: 1000, expectedAgents: 50, headroom: 3, heartbeatSeconds: 30 };
    const peaks = expectedPeaks(inputs);
    expect(settings.heartbeat?.ThrottlingRateLimit).toBe(
      throttleFor(peaks.webSocket.heartbeat!, 3, { rateLimit: 500, burstLimit: 1000 }).rateLimit,
    );
    expect(settings.heartbeat!.ThrottlingRateLimit).toBeGreaterThan(settings.start!.ThrottlingRateLimit);
    // Heartbeats per role: 1000 customers every 300 s and 50 agents every 30 s (not 1050 every 30 s),
    // plus at most one probe per unanswered send.
    const probes = peaks.webSocket.message!;
    expect(peaks.webSocket.heartbeat).toBeCloseTo(1000 / 300 + 50 / 30 + probes);
    expect(settings.heartbeat!.ThrottlingRateLimit).toBe(Math.ceil((1000 / 300 + 50 / 30 + probes) * 3));
    expect(expectedPeaks({ ...inputs, expectedConcurrentCustomers: 2000 }).webSocket.heartbeat! - peaks.webSocket.heartbeat!).toBeCloseTo(
      1000 / 300 + 1000 / 30,
    );
    expect(settings.typing!.ThrottlingRateLimit).toBeGreaterThan(settings.transfer!.ThrottlingRateLimit);

    const bigger = synthParley({
      context: { expectedConcurrentCustomers: '4000', throttleRateLimit: '5000', throttleBurstLimit: '10000' },
    });
    const biggerSettings = stageOf(bigger.template, logicalIdOf(bigger.stack.realtime.stage)).Properties.RouteSettings ?? {};
    expect(biggerSettings.message!.ThrottlingRateLimit).toBeGreaterThan(settings.message!.ThrottlingRateLimit);
  });

  it('takes per-route overrides, and refuses one for a route that does not exist', () => {
    const overridden = synthParley({
      context: {
        routeThrottles: JSON.stringify({ typing: { rateLimit: 7, burstLimit: 9 }, 'POST /v1/auth/login': { rateLimit: 2, burstLimit: 4 } }),
      },
    });
    const ws = stageOf(overridden.template, logicalIdOf(overridden.stack.realtime.stage)).Properties.RouteSettings ?? {};
    const http = stageOf(overridden.template, logicalIdOf(overridden.stack.http.stage)).Properties.RouteSettings ?? {};
    expect(ws.typing).toEqual({ ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 });
    expect(http['POST /v1/auth/login']).toEqual({ ThrottlingRateLimit: 2, ThrottlingBurstLimit: 4 });
    expect(() => synthParley({ context: { routeThrottles: { typo: { rateLimit: 1, burstLimit: 1 } } } })).toThrow(
      /routeThrottles names no route: typo/,
    );
  });
});
