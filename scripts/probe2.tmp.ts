import { startLocalStack } from '../local/stack';
import { RawClient, postJson } from '../local/tools/raw-client';
async function main() {
  const stack = await startLocalStack({ httpPort: 0, wsPort: 0, demo: true, logLevel: 'ERROR' });
  const a = await postJson(`${stack.httpUrl}/v1/auth/login`, { email: 'agent.tech@example.com', password: 'parley-demo' });
  const agent = await RawClient.connect(stack.wsUrl, a.body.token);
  agent.send({ action: 'sync' }); await agent.nextOfType('synced');
  agent.send({ action: 'status', status: 'online' }); await agent.nextOfType('status');
  const g = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'A' });
  const c = await RawClient.connect(stack.wsUrl, g.body.token);
  c.send({ action: 'sync' }); await c.nextOfType('synced');
  c.send({ action: 'start', text: 'hi', clientMsgId: 's', skill: 'tech' }); const ack = await c.nextOfType('ack');
  await agent.nextOfType('assigned', 10000);
  for (const [name, client] of [['customer', c], ['agent', agent]] as const) {
    const t = Date.now();
    for (let i = 0; i < 20; i++) client.send({ action: 'message', conversationId: ack.conversationId, clientMsgId: name + i, text: 'x' });
    for (let i = 0; i < 20; i++) await client.nextOfType('ack', 20000);
    console.log(name, '20 messages', Date.now() - t, 'ms');
  }
  await stack.stop();
}
void main();
