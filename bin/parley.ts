import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ParleyStack } from '../lib/parley-stack';
import { readParleyContext } from '../lib/parley-context';

// Environment-agnostic on purpose: no account, so synth needs no AWS access. A region may be
// pinned with -c region=... (the webAcl option creates its CLOUDFRONT web ACL in us-east-1 only).
const app = new App();
const { stackName, region } = readParleyContext(app.node);
new ParleyStack(app, stackName, {
  description: 'Parley: serverless customer-service chat',
  ...(region === undefined ? {} : { env: { region } }),
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
