import { SigningKeySource, VerificationKeySource } from '../adapters/jwt/key-sources';
import { JoseTokenService } from '../adapters/jwt/token-service';
import { parseOidcIssuers } from '../config';
import { maxTokenSeconds, type PortFactories } from './context';
import type { GroupPortName } from './groups';
import { secretSource } from './secrets';

export const tokenPorts: PortFactories<GroupPortName<'tokens'>> = {
  tokens: (ctx) => {
    const { config } = ctx;
    const secrets = secretSource(ctx);
    let signingKeys: SigningKeySource | undefined;
    let verificationKeys: VerificationKeySource | undefined;
    const identifiedCustomerSecretId = config.IDENTIFIED_CUSTOMER_SECRET_ID;
    return new JoseTokenService({
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      signingKeys: () => {
        signingKeys ??= new SigningKeySource((read) => secrets.read(config.SIGNING_KEYS_SECRET_ID, read));
        return signingKeys;
      },
      verificationKeys: () => {
        verificationKeys ??= new VerificationKeySource((read) => secrets.read(config.VERIFICATION_KEYS_SECRET_ID, read), ctx.policy);
        return verificationKeys;
      },
      maxTokenSeconds: maxTokenSeconds(config),
      ...(identifiedCustomerSecretId
        ? { identifiedCustomers: { issuer: config.IDENTIFIED_CUSTOMER_ISSUER, key: () => secrets.hmacKey(identifiedCustomerSecretId) } }
        : {}),
      oidcIssuers: parseOidcIssuers(config.OIDC_ISSUERS),
      now: () => ctx.clock.now(),
    });
  },
};
