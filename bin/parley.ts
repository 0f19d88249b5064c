import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ParleyStack } from '../lib/parley-stack';
import { readParleyContext } from '../lib/parley-context';

// Environment-agnostic on purpose: no account or region, so synth needs no AWS access.
const app = new App();
const { stackName } = readParleyContext(app.node);
new ParleyStack(app, stackName, {
  description: 'Parley: serverless customer-service chat',
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
