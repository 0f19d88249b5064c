import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SCHEDULED_FUNCTIONS, type ScheduledFunction } from '../../functions/routes';
import { toPascalCase } from './naming';
import { functionLogGroup } from './function-log-group';
import { ParleyFunction } from './parley-function';
import type { ParleyResources } from './parley-resources';

export interface ScheduledProps {
  readonly resources: ParleyResources;
}

/** A SCHEDULED_FUNCTIONS entry as deployed: its Lambda and the EventBridge rule that runs it. */
export interface DeployedScheduledFunction {
  readonly definition: ScheduledFunction;
  readonly handler: ParleyFunction;
  readonly rule: Rule;
}

/**
 * Functions run on a schedule: reconciliation (presence sweep, Redis load rebuilt from
 * DynamoDB, nudges for stalled queues) every minute. Each gets exactly its `needs`.
 */
export class ScheduledConstruct extends Construct {
  readonly scheduled: readonly DeployedScheduledFunction[];
  readonly functionLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ScheduledProps) {
    super(scope, id);
    this.functionLogGroup = functionLogGroup(this);
    this.scheduled = SCHEDULED_FUNCTIONS.map((definition) => {
      const name = toPascalCase(definition.name);
      const handler = new ParleyFunction(this, `${name}Function`, {
        name: definition.name,
        entry: definition.entry,
        needs: definition.needs,
        resources: props.resources,
        logGroup: this.functionLogGroup,
        timeout: Duration.seconds(definition.timeoutSeconds),
        description: `Parley scheduled ${definition.name}, every ${definition.rateMinutes} minute(s)`,
      });
      const rule = new Rule(this, `${name}Schedule`, {
        description: `Runs Parley ${definition.name}`,
        schedule: Schedule.rate(Duration.minutes(definition.rateMinutes)),
        // A missed run is covered by the next one a minute later: no retries piling up.
        targets: [new LambdaFunction(handler.lambda, { retryAttempts: 0, maxEventAge: Duration.minutes(2) })],
      });
      return { definition, handler, rule };
    });
  }

  get functions(): readonly ParleyFunction[] {
    return this.scheduled.map((deployed) => deployed.handler);
  }
}
