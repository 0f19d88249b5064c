import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray through Powertools Tracer. Off outside Lambda (no AWS_EXECUTION_ENV) and with
 * POWERTOOLS_TRACE_ENABLED=false, so the local stack and the tests never touch X-Ray.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'parley' });

/** Wraps SDK clients so each call is a subsegment; returns them unchanged when tracing is off. */
export function captureClients<T extends object>(clients: T): T {
  if (!tracer.isTracingEnabled()) return clients;
  for (const client of Object.values(clients)) tracer.captureAWSv3Client(client);
  return clients;
}

/**
 * Runs one invocation in a `## <function>` subsegment (Lambda's own segment cannot take
 * annotations), annotated with cold start and service; errors recorded on it.
 */
export async function traced<T>(name: string, run: () => Promise<T>): Promise<T> {
  if (!tracer.isTracingEnabled()) return run();
  const parent = tracer.getSegment();
  const subsegment = parent?.addNewSubsegment(`## ${name}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    return await run();
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    subsegment?.close();
    if (parent) tracer.setSegment(parent);
  }
}

/** Searchable annotations on the invocation's subsegment (route, connection, conversation). */
export function annotateTrace(annotations: Readonly<Record<string, string | undefined>>): void {
  if (!tracer.isTracingEnabled()) return;
  for (const [key, value] of Object.entries(annotations)) if (value !== undefined) tracer.putAnnotation(key, value);
}
