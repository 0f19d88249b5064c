import { Duration } from 'aws-cdk-lib';
import type { RotationSchedule, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SIGNING_KEY_ROTATION } from '../../functions/routes';
import { functionLogGroup } from './function-log-group';
import { ParleyFunction } from './parley-function';
import type { ParleyResources } from './parley-resources';

export interface SigningKeyRotationProps {
  readonly resources: ParleyResources;
  /** The private signing-key set this rotates. */
  readonly signingKeysSecret: Secret;
}

/**
 * Secrets Manager's native rotation of the signing-key secret: every 30 days, and at once on
 * the first deployment (which creates the first key). The rotation function adds a key pair,
 * publishes its public half to the verification-key secret and drops keys whose tokens have
 * all expired (functions/services/signing-key-rotation.ts). The rotation schedule grants it
 * DescribeSecret, GetSecretValue, PutSecretValue and UpdateSecretVersionStage on the signing-key
 * secret and lets Secrets Manager invoke it; its needs add the verification-key secret.
 */
export class SigningKeyRotationConstruct extends Construct {
  readonly rotator: ParleyFunction;
  readonly schedule: RotationSchedule;
  readonly functionLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SigningKeyRotationProps) {
    super(scope, id);
    this.functionLogGroup = functionLogGroup(this);
    this.rotator = new ParleyFunction(this, 'Function', {
      name: SIGNING_KEY_ROTATION.name,
      entry: SIGNING_KEY_ROTATION.entry,
      needs: SIGNING_KEY_ROTATION.needs,
      resources: props.resources,
      logGroup: this.functionLogGroup,
      // Four short steps, each a few Secrets Manager calls; key generation takes milliseconds.
      timeout: Duration.seconds(30),
      description: `Parley: rotates the token signing keys (every ${SIGNING_KEY_ROTATION.rotationDays} days)`,
    });
    this.schedule = props.signingKeysSecret.addRotationSchedule('Rotation', {
      rotationLambda: this.rotator.lambda,
      automaticallyAfter: Duration.days(SIGNING_KEY_ROTATION.rotationDays),
      rotateImmediatelyOnUpdate: true,
    });
  }
}
