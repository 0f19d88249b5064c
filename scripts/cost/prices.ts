export interface PriceTable {
  readonly region: string;
  /** The day these prices were read from the pages in `sources`. */
  readonly checked: string;
  readonly webSocketPerMillionMessages: number;
  readonly webSocketPerMillionConnectionMinutes: number;
  readonly httpApiPerMillionRequests: number;
  readonly lambdaPerMillionRequests: number;
  readonly lambdaArmPerGbSecond: number;
  readonly dynamodbPerMillionWriteUnits: number;
  readonly dynamodbPerMillionReadUnits: number;
  readonly sqsPerMillionRequests: number;
  readonly upstashPerMillionCommands: number;
  /** Upstash's fixed plans: a flat monthly price, no per-command charge, a monthly bandwidth cap. */
  readonly upstashFixedPlans: readonly UpstashFixedPlan[];
  readonly cloudWatchLogsPerGbIngested: number;
  readonly s3PerThousandPuts: number;
  readonly s3PerThousandGets: number;
  readonly s3PerGbMonth: number;
  readonly xRayPerMillionTracesRecorded: number;
  readonly sources: Readonly<Record<string, string>>;
}

export interface UpstashFixedPlan {
  readonly name: string;
  readonly perMonth: number;
  readonly dataMb: number;
  /** Included bandwidth a month; undefined where the page was not read for it. */
  readonly bandwidthGb?: number;
}

/**
 * The ONE price table `npm run cost` uses: list prices, us-east-1, on-demand, no free tier,
 * no savings plans. Read on the date below from the pages named per line; change a price here
 * (and the date) and every figure follows. docs/cost.md explains each line.
 */
export const PRICE_TABLE: PriceTable = {
  region: 'us-east-1',
  checked: '2026-12-01',
  /** API Gateway WebSocket API: per message sent or received (32 KB increments), per connection minute. */
  webSocketPerMillionMessages: 1.0,
  webSocketPerMillionConnectionMinutes: 0.25,
  /** API Gateway HTTP API, first 300 million requests a month. */
  httpApiPerMillionRequests: 1.0,
  /** Lambda on arm64 (Graviton): per request and per GB-second of billed duration. */
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  /** DynamoDB on-demand, Standard table class (since 1 November 2024: half the earlier $1.25 / $0.25). */
  dynamodbPerMillionWriteUnits: 0.625,
  dynamodbPerMillionReadUnits: 0.125,
  /** SQS standard queues, per request (64 KB chunks). */
  sqsPerMillionRequests: 0.4,
  /** Upstash Redis pay-as-you-go: $0.20 per 100,000 commands. */
  upstashPerMillionCommands: 2.0,
  /**
   * Upstash Redis fixed plans (pricing page read 2026-12-01): 250 MB for $10 a month with 50 GB
   * of bandwidth; 1 GB for $20 (its bandwidth cap not recorded here: check the page).
   * Commands are not billed on a fixed plan.
   */
  upstashFixedPlans: [
    { name: 'Fixed 250MB', perMonth: 10, dataMb: 250, bandwidthGb: 50 },
    { name: 'Fixed 1GB', perMonth: 20, dataMb: 1024 },
  ],
  /** CloudWatch Logs, standard log class, ingestion. */
  cloudWatchLogsPerGbIngested: 0.5,
  /** S3 Standard: PUT/POST per 1,000, GET per 1,000, storage per GB-month. */
  s3PerThousandPuts: 0.005,
  s3PerThousandGets: 0.0004,
  s3PerGbMonth: 0.023,
  /** X-Ray, per trace recorded (retrieval and scans, $0.50 per 1M, are left to whoever reads them). */
  xRayPerMillionTracesRecorded: 5.0,
  sources: {
    webSocket: 'https://aws.amazon.com/api-gateway/pricing/',
    lambda: 'https://aws.amazon.com/lambda/pricing/',
    dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    sqs: 'https://aws.amazon.com/sqs/pricing/',
    upstash: 'https://upstash.com/pricing/redis',
    cloudWatch: 'https://aws.amazon.com/cloudwatch/pricing/',
    s3: 'https://aws.amazon.com/s3/pricing/',
    xRay: 'https://aws.amazon.com/xray/pricing/',
  },
};
