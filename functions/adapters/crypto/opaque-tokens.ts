import { createHash, randomBytes } from 'node:crypto';
import type { OpaqueTokens } from '../../ports/session-store';

/** Refresh-token secrets: 32 random bytes; SHA-256 suffices to store a secret this long. */
export const randomOpaqueTokens: OpaqueTokens = {
  generate: () => randomBytes(32).toString('base64url'),
  hash: (secret) => createHash('sha256').update(secret, 'utf8').digest('hex'),
};
