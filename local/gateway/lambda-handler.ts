import type { Context } from 'aws-lambda';
import { createLambdaContext } from './lambda-context';

// `any` defaults on purpose: each handler module types its own event; the gateways only forward them.
// biome-ignore lint/suspicious/noExplicitAny: see above.
export type LambdaHandler<E = any, R = any> = (event: E, context: Context) => Promise<R>;

export type InvocationOutcome<R> =
  | { readonly ok: true; readonly value: R; readonly ms: number }
  | { readonly ok: false; readonly error: unknown; readonly ms: number };

/**
 * Invokes a handler in-process the way the Lambda runtime would: with a fresh context, and with
 * synchronous throws treated exactly like rejected promises.
 */
export async function invokeLambda<E, R>(handler: LambdaHandler<E, R>, event: E, functionName: string): Promise<InvocationOutcome<R>> {
  const started = performance.now();
  try {
    const value = await handler(event, createLambdaContext(functionName));
    return { ok: true, value, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error, ms: Math.round(performance.now() - started) };
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
