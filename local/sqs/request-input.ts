import { invalidParameterValue, missingParameter } from './sqs-errors';

/** A decoded JSON request object. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireString(input: JsonObject, name: string): string {
  const value = input[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string') throw invalidParameterValue(`Value for parameter ${name} must be a string.`);
  return value;
}

export function optionalString(input: JsonObject, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameterValue(`Value for parameter ${name} must be a string.`);
  return value;
}

/** Integers may arrive as JSON numbers or numeric strings depending on the client. */
export function optionalInteger(input: JsonObject, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed)) {
    throw invalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: Must be an integer.`);
  }
  return parsed;
}

export function requireInteger(input: JsonObject, name: string): number {
  const value = optionalInteger(input, name);
  if (value === undefined) throw missingParameter(name);
  return value;
}

export function optionalStringList(input: JsonObject, name: string): string[] {
  const value = input[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw invalidParameterValue(`Value for parameter ${name} must be a list of strings.`);
  }
  return value;
}

export function optionalStringMap(input: JsonObject, name: string): Record<string, string> {
  const value = input[name];
  if (value === undefined || value === null) return {};
  if (!isJsonObject(value) || !Object.values(value).every((item) => typeof item === 'string')) {
    throw invalidParameterValue(`Value for parameter ${name} must be a map of strings.`);
  }
  return value as Record<string, string>;
}

export function requireObjectList(input: JsonObject, name: string): JsonObject[] {
  const value = input[name];
  if (value === undefined || value === null) throw missingParameter(name);
  if (!Array.isArray(value) || !value.every(isJsonObject)) {
    throw invalidParameterValue(`Value for parameter ${name} must be a list of structures.`);
  }
  return value;
}
