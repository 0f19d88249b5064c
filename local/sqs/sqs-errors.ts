/**
 * SQS errors in the shape the AWS SDK's JSON 1.0 + awsQueryCompatible protocol decodes:
 * `__type` names the modelled exception (what `error.name` becomes in the SDK) and the
 * `x-amzn-query-error` header carries the legacy Query error code (`error.Code`).
 */
export class SqsError extends Error {
  constructor(
    /** Shape name, e.g. `QueueDoesNotExist`; becomes `error.name` in the SDK. */
    readonly type: string,
    message: string,
    readonly httpStatus = 400,
    /** Legacy Query API code, e.g. `AWS.SimpleQueueService.NonExistentQueue`. */
    readonly queryCode: string = type,
    readonly senderFault = true,
  ) {
    super(message);
    this.name = type;
  }
}

export function queueDoesNotExist(): SqsError {
  return new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 400, 'AWS.SimpleQueueService.NonExistentQueue');
}

export function invalidParameterValue(message: string): SqsError {
  return new SqsError('InvalidParameterValue', message);
}

export function invalidParameter(name: string, value: unknown, reason: string): SqsError {
  return invalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

export function missingParameter(name: string): SqsError {
  return new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
}

export function invalidAttributeName(name: string): SqsError {
  return new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
}

export function receiptHandleIsInvalid(handle: string): SqsError {
  return new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 404);
}

export function messageNotInflight(): SqsError {
  return new SqsError('MessageNotInflight', 'The message referred to is not in flight.', 400, 'AWS.SimpleQueueService.MessageNotInflight');
}

export function queueNameExists(name: string): SqsError {
  return new SqsError(
    'QueueNameExists',
    `A queue already exists with the same name and a different value for attribute(s) of queue ${name}.`,
    400,
    'QueueAlreadyExists',
  );
}

export function invalidMessageContents(): SqsError {
  return new SqsError(
    'InvalidMessageContents',
    'Invalid binary character in the message body or attributes. Allowed: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
  );
}

export function unsupportedOperation(message: string): SqsError {
  return new SqsError('UnsupportedOperation', message, 400, 'AWS.SimpleQueueService.UnsupportedOperation');
}
