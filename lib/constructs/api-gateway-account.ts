import { RemovalPolicy } from 'aws-cdk-lib';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * The account-level role API Gateway uses to write WebSocket access logs; without it a
 * stage with access logging fails to deploy. The setting is per account and region.
 */
export class ApiGatewayAccountConstruct extends Construct {
  readonly role: Role;
  readonly account: CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.role = new Role(this, 'CloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write access and execution logs to CloudWatch Logs',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    // Other APIs in the account come to rely on this role; deleting the stack must not break them.
    this.role.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.account = new CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
  }
}
