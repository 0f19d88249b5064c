import { parseArgs } from 'node:util';
import { FAULT_FLAG_HELP, parseFaultFlags, type FaultSettings } from './faults/fault-settings';
import { DEMO_AGENTS, DEMO_PASSWORD } from './seed';
import { startLocalStack } from './stack';

const USAGE = `Usage: npm start -- [--data DIR] [--no-demo] [--log-level LEVEL] [--faults LIST]

Runs Parley on this machine: the WebSocket and HTTP APIs, DynamoDB (dynalite), SQS with the
router's poller, Secrets Manager and an Upstash-compatible Redis endpoint.

  --data DIR         keep DynamoDB data, the token keys and the SQS queues' messages (waiting,
                     delayed and in flight) in DIR across restarts; not kept: the embedded
                     Redis (presence, capacity claims, rate-limit windows), emptied as an
                     Upstash flush would (agents reconnect and go online again)
  --no-demo          do not seed the demo agents
  --log-level LEVEL  handler log level: DEBUG, INFO, WARN (default) or ERROR
  --faults LIST      inject faults, e.g. gone=0.02,limit-exceeded=0.05,kill=0.01 (names:
                     ${FAULT_FLAG_HELP}); also adjustable at runtime
                     with POST /_local/faults on the HTTP port

Environment: PORT (HTTP, default 3000), WS_PORT (WebSocket, default 3001), SQS_PORT (SQS, default
3002; npm run redrive uses it), HOST (default 127.0.0.1), REDIS_URL (use a real Redis instead of
the embedded engine), DYNAMODB_ENDPOINT (use an external DynamoDB such as DynamoDB Local,
\`npm run dynamodb-local\`, instead of dynalite).`;

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name} must be a port number (0-65535), not "${raw}"`);
    process.exit(2);
  }
  return port;
}

const ARG_OPTIONS = {
  data: { type: 'string' },
  'no-demo': { type: 'boolean', default: false },
  'log-level': { type: 'string' },
  faults: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs<{ options: typeof ARG_OPTIONS }>>['values'];
  try {
    args = parseArgs({ options: ARG_OPTIONS }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  let faults: Partial<FaultSettings> | undefined;
  try {
    faults = args.faults === undefined ? undefined : parseFaultFlags(args.faults);
  } catch (error) {
    console.error(`--faults: ${(error as Error).message}`);
    process.exit(2);
  }

  const stack = await startLocalStack({
    httpPort: portFrom('PORT', 3000),
    wsPort: portFrom('WS_PORT', 3001),
    sqsPort: portFrom('SQS_PORT', 3002),
    host: process.env.HOST || '127.0.0.1',
    ...(args.data ? { dataDir: args.data } : {}),
    demo: !args['no-demo'],
    demoHours: !args['no-demo'],
    demoAutoReplies: !args['no-demo'],
    ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    ...(process.env.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.DYNAMODB_ENDPOINT } : {}),
    ...(args['log-level'] ? { logLevel: args['log-level'].toUpperCase() } : {}),
    ...(faults ? { faults } : {}),
  });

  const lines = [
    '',
    'Parley is running locally.',
    `  HTTP API   ${stack.httpUrl}`,
    `  WebSocket  ${stack.wsUrl}?token=<jwt>`,
    ...(stack.web
      ? [
          '',
          `  Widget demo  ${stack.web.demoUrl}   (a host page with the widget embedded)`,
          `  Console      ${stack.web.consoleUrl}`,
          `  widget.js    ${stack.web.widgetUrl}`,
        ]
      : []),
    `  Mail         ${stack.mail.pageUrl}   (every mail sent, and a form to post a customer's reply)`,
    '',
    `  Data       ${args.data ? `kept in ${args.data}` : 'in memory (use --data DIR to keep it)'}`,
    `  Redis      ${process.env.REDIS_URL ? process.env.REDIS_URL : 'embedded engine'}`,
    `  DynamoDB   ${process.env.DYNAMODB_ENDPOINT ? `${stack.endpoints.dynamodb}, table ${stack.tableName}` : 'dynalite (embedded)'}`,
    '',
    `  Identified customers: your site signs HS256 tokens (iss "${stack.identifiedCustomer.issuer}", aud "${stack.identifiedCustomer.audience}")`,
    `  with the key in local secret ${stack.identifiedCustomer.secretName}: ${stack.identifiedCustomer.key}`,
    '  (see docs/security.md)',
  ];
  if (stack.faults) lines.push(`  Faults     ${JSON.stringify(stack.faults.settings)} (${stack.httpUrl}/_local/faults)`);
  if (!args['no-demo']) {
    lines.push('', `  Demo agents (password ${DEMO_PASSWORD}):`);
    for (const agent of DEMO_AGENTS) {
      lines.push(`    ${agent.email}  ${agent.role === 'agent' ? `skills: ${agent.skills.join(', ')}` : agent.role}`);
    }
    lines.push(
      "  Business hours: billing Mon-Fri 09:00-17:00 Europe/Berlin (offline form), tech 24/7; change them in the console's Settings",
    );
  }
  lines.push(
    '',
    '  Try it: npm run chat -- customer   and, in another terminal,',
    '          npm run chat -- agent agent.billing@example.com',
    '',
    'Press Ctrl-C to stop.',
  );
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Parley...`);
    await stack.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`Parley could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
