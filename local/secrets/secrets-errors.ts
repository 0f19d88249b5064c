/** A Secrets Manager error as the AWS JSON 1.1 protocol reports it (`__type` + `Message`). */
export class SecretsManagerError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export function resourceNotFound(message = "Secrets Manager can't find the specified secret."): SecretsManagerError {
  return new SecretsManagerError('ResourceNotFoundException', message);
}

export function resourceExists(message: string): SecretsManagerError {
  return new SecretsManagerError('ResourceExistsException', message);
}

export function invalidParameter(message: string): SecretsManagerError {
  return new SecretsManagerError('InvalidParameterException', message);
}

export function validationError(message: string): SecretsManagerError {
  return new SecretsManagerError('ValidationException', message);
}

export function invalidRequest(message: string): SecretsManagerError {
  return new SecretsManagerError('InvalidRequestException', message);
}
