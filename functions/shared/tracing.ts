import type { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray through Powertools Tracer. Off outside Lambda (no AWS_EXECUTION_ENV) and with
 * POWERTOOLS_TRACE_ENABLED=false, so the local stack and the tests never touch X-Ray. The
 * Tracer (with the X-Ray SDK, ~120 KB) is imported on the first traced invocation, never
 * when tracing is off, so importing a handler does not pay for it (docs/operations.md).
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_EXECUTION_ENV) && env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false';
}

/** The Tracer once loaded and enabled; undefined while tracing is off. */
let tracer: Tracer | undefined;
let loading: Promise<Tracer | undefined> | undefined;

/**
 * Loads the Tracer when this process traces (once); undefined otherwise. A Lambda bundle built
 * with tracing off (the `tracing` context value, lib/constructs/parley-function.ts) has
 * `process.env.PARLEY_BUNDLE_TRACER` replaced by "false": the condition is then constant and
 * esbuild drops the import with the X-Ray SDK (~120 KB). Unbundled (local stack, tests) it is unset.
 */
export function loadTracer(): Promise<Tracer | undefined> {
  loading ??=
    process.env.PARLEY_BUNDLE_TRACER !== 'false' && tracingRequested()
      ? import('@aws-lambda-powertools/tracer').then(({ Tracer }) => {
          const loaded = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'parley' });
          tracer = loaded.isTracingEnabled() ? loaded : undefined;
          return tracer;
        })
      : Promise.resolve(undefined);
  return loading;
}

/** Wraps an SDK client so each call is a subsegment; returns it unchanged when tracing is off. */
export function captureClient<T>(client: T): T {
  tracer?.captureAWSv3Client(client);
  return client;
}

/**
 * Runs one invocation in a `## <function>` subsegment (Lambda's own segment cannot take
 * annotations), annotated with cold start and service; errors recorded on it.
 */
export async function traced<T>(name: string, run: () => Promise<T>): Promise<T> {
  const active = await loadTracer();
  if (!active) return run();
  const parent = active.getSegment();
  const subsegment = parent?.addNewSubsegment(`## ${name}`);
  if (subsegment) active.setSegment(subsegment);
  active.annotateColdStart();
  active.addServiceNameAnnotation();
  try {
    return await run();
  } catch (error) {
    active.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    subsegment?.close();
    if (parent) active.setSegment(parent);
  }
}

/** Searchable annotations on the invocation's subsegment (route, connection, conversation). */
export function annotateTrace(annotations: Readonly<Record<string, string | undefined>>): void {
  if (!tracer) return;
  for (const [key, value] of Object.entries(annotations)) if (value !== undefined) tracer.putAnnotation(key, value);
}
