import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { FUNCTION_TIMEOUT_SECONDS } from '../../functions/domain/send-window';
import { tableAccessOf, type Needs } from '../../functions/routes';
import type { TableAccess } from '../../functions/table-access';
import { ownLogStreamsArn } from './function-log-group';
import { functionNameFor } from './naming';
import { functionEnvironment, grantNeeds, type ParleyResources } from './parley-resources';
import { grantTableAccess } from './table-grants';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A connection's recheck sync is timed from it (functions/domain/send-window.ts): WebSocket functions keep it. */
export const DEFAULT_FUNCTION_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS);

/** ESM output still meets CommonJS dependencies that call `require`; this gives them one. */
const REQUIRE_SHIM = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Packages Lambda bundles see replaced, each by a module of the repository (paths from its root):
 * - the AWS SDK's default credential chain by its first link, the environment variables Lambda
 *   sets (functions/shared/env-credentials.ts): no SSO, INI, process, web identity or metadata
 *   service providers, nor the nested STS/SSO clients they carry.
 * The local stack, tests and scripts run the modules unbundled and see the packages themselves.
 */
export const BUNDLE_ALIASES = {
  '@aws-sdk/credential-provider-node': './functions/shared/env-credentials.ts',
} as const;

/** What a deployment chooses about every function's bundle. */
export interface BundleSettings {
  /**
   * Active X-Ray tracing (the `tracing` context value, default on). Off, the function is not
   * traced and its bundle holds no Tracer nor X-Ray SDK (functions/shared/tracing.ts).
   */
  readonly tracing: boolean;
}

export const DEFAULT_BUNDLE_SETTINGS: BundleSettings = { tracing: true };

/**
 * What each port group of functions/wiring.ts needs to be in a function's bundle. esbuild
 * replaces `process.env.PARLEY_BUNDLE_<GROUP>` with "true" or "false" and drops the groups a
 * function's Needs never reach, with their SDK clients: a function granted no SES never holds
 * the SES client. (Without the grant such a call would be refused by IAM anyway.)
 */
export const BUNDLE_GROUPS = {
  TABLE: (needs) => needs.table !== undefined,
  QUEUES: (needs) =>
    needs.routingQueue === true || needs.events === true || needs.webhookDeliveries === true || needs.parksUnroutable === true,
  CONNECTIONS: (needs) => needs.connections === true,
  TOKENS: (needs) => needs.signingKeys === true || needs.verificationKeys === true,
  REDIS: (needs) => needs.upstash === true,
  MAIL: (needs) => needs.mail === true,
  S3: (needs) => needs.inboundMail === true || needs.attachments !== undefined || needs.customerData === true,
  ROTATION: (needs) => needs.rotatesSigningKeys === true,
  SECRETS: (needs) =>
    needs.signingKeys === true || needs.verificationKeys === true || needs.upstash === true || needs.rotatesSigningKeys === true,
} as const satisfies Record<string, (needs: Needs) => boolean>;

/**
 * The `define`s that select a function's port groups (see BUNDLE_GROUPS) and whether it holds
 * the Tracer (`process.env.PARLEY_BUNDLE_TRACER`).
 */
export function bundleDefines(needs: Needs, settings: BundleSettings = DEFAULT_BUNDLE_SETTINGS): Record<string, string> {
  return {
    ...Object.fromEntries(
      Object.entries(BUNDLE_GROUPS).map(([group, reached]) => [
        `process.env.PARLEY_BUNDLE_${group}`,
        JSON.stringify(String(reached(needs))),
      ]),
    ),
    'process.env.PARLEY_BUNDLE_TRACER': JSON.stringify(String(settings.tracing)),
  };
}

const BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: REQUIRE_SHIM,
  // Bundle the AWS SDK too, so production runs the versions the tests ran.
  externalModules: [],
  // re2-wasm (the bot's linear-time patterns) loads its .wasm file from beside its own script,
  // which a bundle cannot hold: it is installed next to the bundle instead (lockfile version).
  nodeModules: ['re2-wasm'],
  forceDockerBundling: false,
  esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([name, path]) => `${name}=${path}`) },
};

/** BUNDLING for a function with these needs: only the port groups it reaches. */
export function bundlingFor(needs: Needs, settings: BundleSettings = DEFAULT_BUNDLE_SETTINGS): BundlingOptions {
  return { ...BUNDLING, define: bundleDefines(needs, settings) };
}

/**
 * The esbuild options CDK derives from BUNDLING (aws-lambda-nodejs bundling.ts), for measuring
 * the same bundle outside CDK (scripts/bench/function-sizes.ts, the bundle budget test).
 */
export function esbuildOptions(needs: Needs, settings: BundleSettings = DEFAULT_BUNDLE_SETTINGS): BuildOptions {
  const bundling = bundlingFor(needs, settings);
  return {
    absWorkingDir: REPOSITORY_ROOT,
    bundle: true,
    platform: 'node',
    target: BUNDLING.target,
    format: 'esm',
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    mainFields: BUNDLING.mainFields,
    banner: { js: REQUIRE_SHIM },
    external: [...(BUNDLING.externalModules ?? []), ...(BUNDLING.nodeModules ?? [])],
    define: bundling.define ?? {},
    alias: { ...BUNDLE_ALIASES },
  };
}

/**
 * Stands in for the bundle when this stack is excluded from bundling (the
 * `aws:cdk:bundling-stacks` context, as in `cdk deploy OtherStack` or the infra tests).
 * CDK would emit a placeholder asset then anyway; this also spares the handler files.
 */
function unbundledCode(): Code {
  return Code.fromInline("exports.handler = async () => { throw new Error('Parley: this function was synthesized without bundling'); };");
}

export interface ParleyFunctionProps {
  /** Short name used for ids and descriptions (the `name` in functions/routes.ts). */
  readonly name: string;
  /** Handler module path relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly needs: Needs;
  readonly resources: ParleyResources;
  /** The log group of the owning construct, shared by its functions (lib/constructs/function-log-group.ts). */
  readonly logGroup: ILogGroup;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  readonly description?: string;
}

/** Every Parley Lambda: one runtime, size, bundling, environment and logging setup. */
export class ParleyFunction extends Construct {
  readonly name: string;
  /** What the function was granted. */
  readonly needs: Needs;
  /** Whether it is traced with X-Ray (and its bundle holds the Tracer). */
  readonly tracing: boolean;
  /** Its DynamoDB grants (functions/routes.ts TABLE_ACCESS, looked up by name). */
  readonly tableAccess: TableAccess;
  readonly lambda: NodejsFunction;
  readonly role: Role;
  /** Shared with the other functions of its construct; this function writes only its own streams. */
  readonly logGroup: ILogGroup;
  /** The deployed name, `<stack>-<name>`, which names its log streams too. */
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: ParleyFunctionProps) {
    super(scope, id);
    this.name = props.name;
    this.needs = props.needs;
    this.tableAccess = tableAccessOf(props.name);
    this.tracing = props.resources.tracing ?? DEFAULT_BUNDLE_SETTINGS.tracing;

    this.logGroup = props.logGroup;
    this.functionName = functionNameFor(Stack.of(this).stackName, props.name);

    // An own role instead of AWSLambdaBasicExecutionRole: writes its own log streams only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Parley ${props.name} function`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [ownLogStreamsArn(this, this.logGroup, this.functionName)],
      }),
    );

    const code = Stack.of(this).bundlingRequired
      ? {
          entry: join(REPOSITORY_ROOT, props.entry),
          projectRoot: REPOSITORY_ROOT,
          depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
          bundling: bundlingFor(props.needs, { tracing: this.tracing }),
        }
      : { code: unbundledCode(), handler: 'index.handler' };

    this.lambda = new NodejsFunction(this, 'Function', {
      ...code,
      functionName: this.functionName,
      description: props.description ?? `Parley ${props.name}`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? DEFAULT_FUNCTION_TIMEOUT,
      tracing: this.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      role: this.role,
      logGroup: this.logGroup,
      environment: functionEnvironment(props.resources),
    });

    grantNeeds(this.role, props.needs, props.resources);
    grantTableAccess(this.role, props.resources.table, this.tableAccess);
  }
}
