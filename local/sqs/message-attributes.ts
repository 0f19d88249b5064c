import { invalidMessageContents, invalidParameterValue } from './sqs-errors';

/** A message attribute as it travels in the SQS JSON protocol (BinaryValue is base64). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

const MAX_ATTRIBUTES = 10;
const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,256}$/;
const DATA_TYPE_PATTERN = /^(String|Number|Binary)(\.[^\s]{1,250})?$/;
const NUMBER_PATTERN = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
// The characters SQS accepts in bodies and string attributes (XML 1.0 character set).
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function containsInvalidCharacters(text: string): boolean {
  return INVALID_CHARACTER.test(text);
}

export function baseDataType(dataType: string): 'String' | 'Number' | 'Binary' {
  if (dataType.startsWith('Binary')) return 'Binary';
  if (dataType.startsWith('Number')) return 'Number';
  return 'String';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates `MessageAttributes` (or `MessageSystemAttributes`) from a request and returns a
 * clean copy holding only the fields SQS keeps.
 */
export function parseMessageAttributes(raw: unknown, parameterName = 'MessageAttributes'): MessageAttributes {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw invalidParameterValue(`${parameterName} must be a map.`);
  const names = Object.keys(raw);
  if (names.length > MAX_ATTRIBUTES) {
    throw invalidParameterValue(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  const parsed: MessageAttributes = {};
  for (const name of names) {
    parsed[name] = parseOneAttribute(name, raw[name], parameterName);
  }
  return parsed;
}

function parseOneAttribute(name: string, raw: unknown, parameterName: string): MessageAttributeValue {
  const lowerName = name.toLowerCase();
  if (
    !NAME_PATTERN.test(name) ||
    name.startsWith('.') ||
    name.endsWith('.') ||
    name.includes('..') ||
    (parameterName === 'MessageAttributes' && (lowerName.startsWith('aws.') || lowerName.startsWith('amazon.')))
  ) {
    throw invalidParameterValue(`Message attribute name '${name}' is invalid.`);
  }
  if (!isRecord(raw)) throw invalidParameterValue(`Message attribute '${name}' must be a structure.`);
  const { DataType, StringValue, BinaryValue, StringListValues, BinaryListValues } = raw;
  if (typeof DataType !== 'string' || DataType === '') {
    throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
  }
  if (!DATA_TYPE_PATTERN.test(DataType)) {
    throw invalidParameterValue(
      `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
    );
  }
  if (isNonEmptyList(StringListValues) || isNonEmptyList(BinaryListValues)) {
    throw invalidParameterValue(`Message attribute list values in '${name}' are not supported.`);
  }
  const base = baseDataType(DataType);
  if (base === 'Binary') {
    if (typeof BinaryValue !== 'string' || BinaryValue === '') {
      throw invalidParameterValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
    }
    return { DataType, BinaryValue };
  }
  if (typeof StringValue !== 'string' || StringValue === '') {
    throw invalidParameterValue(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`,
    );
  }
  if (containsInvalidCharacters(StringValue)) throw invalidMessageContents();
  if (base === 'Number' && !NUMBER_PATTERN.test(StringValue)) {
    throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
  }
  return { DataType, StringValue };
}

function isNonEmptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/** Bytes SQS counts toward the message size limit: name, type and value of each attribute. */
export function messageAttributesSize(attributes: MessageAttributes): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    if (value.StringValue !== undefined) size += Buffer.byteLength(value.StringValue);
    if (value.BinaryValue !== undefined) size += Buffer.from(value.BinaryValue, 'base64').length;
  }
  return size;
}

/**
 * The subset named by a ReceiveMessage `MessageAttributeNames` list: `All` or `.*` selects
 * everything, `prefix.*` selects by prefix, anything else is an exact name.
 */
export function selectMessageAttributes(attributes: MessageAttributes, requestedNames: readonly string[]): MessageAttributes {
  if (requestedNames.length === 0) return {};
  const selectAll = requestedNames.some((n) => n === 'All' || n === '.*');
  const selected: MessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    const wanted =
      selectAll ||
      requestedNames.some((requested) => (requested.endsWith('.*') ? name.startsWith(requested.slice(0, -1)) : requested === name));
    if (wanted) selected[name] = value;
  }
  return selected;
}
