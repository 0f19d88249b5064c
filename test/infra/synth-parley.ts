import { readFileSync } from 'node:fs';
import { App, Aspects, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readParleyContext } from '../../lib/parley-context';
import { ParleyStack } from '../../lib/parley-stack';

export interface SynthOptions {
  /** CDK context, as cdk.json or `-c key=value` would give it. */
  readonly context?: Record<string, unknown>;
  /** Run cdk-nag's AwsSolutionsChecks, as bin/parley.ts does. */
  readonly nag?: boolean;
}

export interface SynthesizedParley {
  readonly app: App;
  readonly stack: ParleyStack;
  readonly template: Template;
}

/** The feature flags and defaults from cdk.json, which the CLI would pass to the app. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * Builds the stack the way bin/parley.ts does (with cdk.json's context), minus bundling (so the handler files need
 * not exist) and minus CDK's built-in CloudFormation validation (slow; `npm run synth`
 * still runs it).
 */
export function synthParley(options: SynthOptions = {}): SynthesizedParley {
  const app = new App({
    builtinCloudFormationValidation: false,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...options.context },
  });
  // As bin/parley.ts: a region only when the context pins one.
  const { region } = readParleyContext(app.node);
  const stack = new ParleyStack(app, 'Parley', region === undefined ? undefined : { env: { region } });
  if (options.nag === true) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id CloudFormation sees for a construct's L1 resource. */
export function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  if (!CfnElement.isCfnElement(resource)) throw new Error(`${construct.node.path} is not a CloudFormation resource`);
  return Stack.of(resource).getLogicalId(resource);
}

export type CfnResourceJson = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

export function resourcesOfType(template: Template, type: string): Record<string, CfnResourceJson> {
  return template.findResources(type) as Record<string, CfnResourceJson>;
}

/** The one resource of a type matching `props`, or a failure naming how many matched. */
export function onlyResource(template: Template, type: string, props?: Record<string, unknown>): CfnResourceJson {
  const found = Object.values(template.findResources(type, props === undefined ? undefined : { Properties: props }));
  if (found.length !== 1) throw new Error(`Expected one ${type}, found ${found.length}`);
  return found[0] as CfnResourceJson;
}

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** Every statement of the inline policies attached to a role. */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties!.Roles as { Ref?: string }[]).some((role) => role.Ref === roleLogicalId))
    .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement);
}

export function actionsOf(statements: readonly PolicyStatementJson[]): string[] {
  return statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action]));
}

/** The resources (as JSON text) every statement granting `action` applies to. */
export function resourcesGranted(statements: readonly PolicyStatementJson[], action: string): string[] {
  return statements
    .filter((statement) => statement.Effect === 'Allow' && actionsOf([statement]).includes(action))
    .flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]))
    .map((resource) => JSON.stringify(resource));
}
