import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { INDEX_PROJECTIONS, INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../functions/adapters/dynamodb/table-schema';
import { EMPTY_KEY_SET } from '../../functions/adapters/jwt/key-sets';

export interface StorageProps {
  /** Name of the pre-existing secret holding {"url", "token"} for Upstash Redis. */
  readonly upstashSecretName: string;
}

/** The single table and the secrets the handlers read at runtime. */
export class StorageConstruct extends Construct {
  readonly table: Table;
  /**
   * The private ES256 signing-key set for Parley's own tokens: read only by the functions that
   * mint tokens and by its rotation function (lib/constructs/signing-key-rotation.ts).
   */
  readonly signingKeysSecret: Secret;
  /** The public half of that set, which every verifier reads and only the rotation function writes. */
  readonly verificationKeysSecret: Secret;
  /**
   * HS256 key the embedding site's backend signs identified-customer tokens with, generated
   * per deployment; the site's operators read it from Secrets Manager (docs/security.md).
   */
  readonly identifiedCustomerSecret: Secret;
  /** Created by the deployer as {"url": "https://....upstash.io", "token": "..."}; only referenced here. */
  readonly upstashSecret: ISecret;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);

    // Built from table-schema.ts, as the local stack's table is, so the two cannot drift.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(INDEXES)) {
      const projection = INDEX_PROJECTIONS[index.indexName];
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        // Only what the index's queries read (table-schema.ts): a message writes no index entry.
        ...(projection.type === 'KEYS_ONLY'
          ? { projectionType: ProjectionType.KEYS_ONLY }
          : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...projection.attributes] }),
      });
    }

    // Both start as an empty key set (no secret material: nothing sensitive in the template);
    // the rotation that runs on the first deployment creates the first key pair.
    this.signingKeysSecret = new Secret(this, 'SigningKeys', {
      description: 'Parley ES256 token signing keys (private; rotated)',
      secretStringValue: SecretValue.unsafePlainText(EMPTY_KEY_SET),
    });
    this.verificationKeysSecret = new Secret(this, 'VerificationKeys', {
      description: 'Parley token verification keys (the public half of the signing keys)',
      secretStringValue: SecretValue.unsafePlainText(EMPTY_KEY_SET),
    });

    this.identifiedCustomerSecret = new Secret(this, 'IdentifiedCustomerKey', {
      description: 'Parley HS256 key for identified-customer tokens signed by the embedding site',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    this.upstashSecret = Secret.fromSecretNameV2(this, 'UpstashSecret', props.upstashSecretName);
  }
}
