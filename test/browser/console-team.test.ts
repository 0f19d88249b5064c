import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { MONITOR_POLL_MS } from '../../clients/console/monitor-view';
import { TEAM_POLL_MS } from '../../clients/console/team-screen';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { getJson, postJson, RawClient } from '../../local/tools/raw-client';
import { beforeAllOrFail, budget, STACK_START_MS, STEP_MS } from '../support/setup';
import { CHROMIUM_PATH, HAVE_CHROMIUM, launchChromium, newContext, screenshot, type LaunchedBrowser } from './browser-support';

if (!HAVE_CHROMIUM) console.warn(`Browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install chromium; .ci/run does it).`);

const POLL = { timeout: 2 * STEP_MS, interval: 100 };
/** The roster is read every TEAM_POLL_MS: a change shows within one period and a read. */
const ROSTER_POLL = { timeout: TEAM_POLL_MS + 2 * STEP_MS, interval: 200 };
const MONITOR_POLL = { timeout: MONITOR_POLL_MS + 2 * STEP_MS, interval: 200 };

describe.skipIf(!HAVE_CHROMIUM)("the console's Team screen and agent administration in a real browser", { timeout: budget(20) }, () => {
  let stack: LocalStack;
  let chromium: LaunchedBrowser;
  const contexts: BrowserContext[] = [];
  const sockets: RawClient[] = [];
  const timers: NodeJS.Timeout[] = [];

  beforeAllOrFail(async () => {
    [stack, chromium] = await Promise.all([startLocalStack({ httpPort: 0, wsPort: 0, demo: true, skills: ['vip'] }), launchChromium()]);
  }, STACK_START_MS + budget(2));

  afterAll(async () => {
    for (const timer of timers) clearInterval(timer);
    for (const socket of sockets) await socket.close().catch(() => undefined);
    for (const context of contexts) await context.close().catch(() => undefined);
    await chromium?.close();
    await stack?.stop();
  });

  async function signIn(email: string, options: { locale?: string; width?: number } = {}): Promise<Page> {
    const locale = options.locale ?? 'en-US';
    const context = await newContext(chromium.browser, locale);
    contexts.push(context);
    const page = await context.newPage();
    if (options.width) await page.setViewportSize({ width: options.width, height: 800 });
    await page.goto(locale.startsWith('zh') ? `${stack.web!.consoleUrl}?lang=zh-CN` : stack.web!.consoleUrl);
    await page.locator('input[name=email]').fill(email);
    await page.locator('input[name=password]').fill('parley-demo');
    await page.locator('button[type=submit]').click();
    await page.locator('.topbar').waitFor(POLL);
    return page;
  }

  const login = async (email: string, password = 'parley-demo') => postJson(`${stack.httpUrl}/v1/auth/login`, { email, password });

  /** A connection of its own that says `sync` and keeps its presence alive with heartbeats. */
  async function connect(token: string): Promise<RawClient> {
    const client = await RawClient.connect(stack.wsUrl, token);
    sockets.push(client);
    client.send({ action: 'sync' });
    await client.nextOfType('synced');
    timers.push(setInterval(() => client.send({ action: 'heartbeat' }), 5_000));
    return client;
  }

  it('a supervisor sees an agent go online and take a chat, and watches the chat read-only', async () => {
    const supervisor = await signIn('supervisor@example.com');
    await supervisor.locator('[data-view-toggle=team]').click();
    const tess = supervisor.locator('.roster-agent[data-agent-id=agent-tech]');
    await expect.poll(() => tess.locator('.roster-status').textContent(), ROSTER_POLL).toMatch(/^Offline/);
    // Admins have no routing status and are not on the roster.
    expect(await supervisor.locator('.roster-agent[data-agent-id=admin]').count()).toBe(0);

    const agent = await connect((await login('agent.tech@example.com')).body.token);
    agent.send({ action: 'status', status: 'online' });
    await expect.poll(() => tess.locator('.roster-status').textContent(), ROSTER_POLL).toBe('Online for less than a minute');
    expect(await tess.locator('.roster-load').textContent()).toBe('0 of 3 chats');
    expect(await tess.locator('.roster-skills').textContent()).toBe('Skills: billing, tech');

    const guest = await postJson(`${stack.httpUrl}/v1/auth/guest`, { name: 'Wang Fang' });
    const customer = await connect(guest.body.token);
    customer.send({ action: 'start', skill: 'tech', text: 'My router keeps dropping', clientMsgId: 'c-1' });
    await customer.waitFor((frame) => frame.type === 'assigned');
    await expect.poll(() => tess.locator('.roster-load').textContent(), ROSTER_POLL).toBe('1 of 3 chats');
    const chat = tess.locator('.roster-chats button', { hasText: 'Wang Fang' });
    await expect.poll(() => chat.textContent(), ROSTER_POLL).toBe('Wang Fang · tech');

    // Monitoring: the transcript, live, and no way to write into it.
    await chat.click();
    const monitor = supervisor.locator('section.monitor');
    await expect.poll(() => monitor.locator('h2').textContent(), POLL).toBe('Monitoring: Wang Fang');
    await expect.poll(() => monitor.locator('li.message .text').allTextContents(), MONITOR_POLL).toContain('My router keeps dropping');
    expect(await monitor.locator('textarea, input').count()).toBe(0);
    customer.send({ action: 'message', clientMsgId: 'c-2', text: 'Still there?' });
    await expect.poll(() => monitor.locator('li.message .text').allTextContents(), MONITOR_POLL).toContain('Still there?');

    // The queue cards read at 15 px, words whole.
    const techCard = supervisor.locator('.queue-card[data-skill=tech]');
    await expect.poll(() => techCard.locator('.queue-agents').textContent(), ROSTER_POLL).toBe('1 online, 1 with room');
    const style = await techCard.evaluate((card) => {
      const computed = getComputedStyle(card);
      return { size: Number.parseFloat(computed.fontSize), wordBreak: computed.wordBreak, wrap: computed.overflowWrap };
    });
    expect(style.size).toBeGreaterThanOrEqual(14);
    expect(style.wordBreak).toBe('normal');
    expect(style.wrap).not.toBe('anywhere');
    await screenshot(supervisor, 'console-team-supervisor');

    // The agent steps away: the roster follows.
    agent.send({ action: 'status', status: 'away' });
    await expect.poll(() => tess.locator('.roster-status').textContent(), ROSTER_POLL).toBe('Away for less than a minute');
  });

  it('the Team screen fits a 390 px phone without sideways scrolling', async () => {
    const supervisor = await signIn('supervisor@example.com', { width: 390 });
    await supervisor.locator('[data-view-toggle=team]').click();
    await supervisor.locator('.roster-agent').first().waitFor(ROSTER_POLL);
    await supervisor.locator('.queue-card').first().waitFor(ROSTER_POLL);
    const widths = await supervisor.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await screenshot(supervisor, 'console-team-390px');
  });

  it('an admin adds an agent, changes its skills, and disables it (its sign-in is then refused)', async () => {
    const admin = await signIn('admin@example.com');
    await admin.getByRole('button', { name: 'Settings' }).click();
    await admin.locator('.settings-sections').getByRole('button', { name: 'Agents' }).click();
    const panel = admin.locator('.settings-panel[data-section=team]');
    await panel.locator('.team-agent[data-agent-id=agent-tech]').waitFor(POLL);

    const create = panel.locator('form.team-create');
    await create.locator('input[name=email]').fill('kim@example.com');
    await create.locator('input[name=name]').fill('Kim');
    await create.locator('input[name=password]').fill('kim-long-password');
    await create.locator('input[name=skills]').fill('tech');
    await create.locator('input[name=capacity]').fill('4');
    await create.getByRole('button', { name: 'Create agent' }).click();
    await expect.poll(() => create.locator('.settings-status').textContent(), POLL).toBe('Created Kim.');
    expect((await login('kim@example.com', 'kim-long-password')).status).toBe(200);

    // A second agent with the same email: the API's refusal is shown next to the form.
    await create.locator('input[name=email]').fill('kim@example.com');
    await create.locator('input[name=name]').fill('Kim Two');
    await create.locator('input[name=password]').fill('kim-long-password');
    await create.getByRole('button', { name: 'Create agent' }).click();
    await expect.poll(() => create.locator('.settings-status').textContent(), POLL).toMatch(/^Not saved: .*kim@example\.com/);

    const kim = panel.locator('.team-agent', { hasText: 'kim@example.com' });
    await kim.locator('input[name=skills]').fill('tech, vip');
    await kim.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => kim.locator('.settings-status').textContent(), POLL).toBe('Saved Kim.');
    const adminToken = (await login('admin@example.com')).body.token as string;
    const stored = async () =>
      (
        (await getJson(`${stack.httpUrl}/v1/agents`, adminToken)).body.agents as Array<{
          email: string;
          skills: string[];
          capacity: number;
          disabled?: boolean;
        }>
      ).find((agent) => agent.email === 'kim@example.com');
    expect(await stored()).toMatchObject({ skills: ['tech', 'vip'], capacity: 4 });

    // A skill the API refuses: its reason shown on the row, nothing changes.
    await kim.locator('input[name=skills]').fill('tech, VIP!');
    await kim.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => kim.locator('.settings-status').textContent(), POLL).toMatch(/^Not saved: .*skill/);
    expect(await stored()).toMatchObject({ skills: ['tech', 'vip'], capacity: 4 });

    await kim.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => kim.locator('.settings-status').textContent(), POLL).toBe('Kim is disabled: it cannot sign in or get chats.');
    expect((await stored())?.disabled).toBe(true);
    const refused = await login('kim@example.com', 'kim-long-password');
    expect(refused.status).toBe(401);
    await screenshot(admin, 'console-team-admin');

    await kim.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => kim.locator('.settings-status').textContent(), POLL).toBe('Kim is enabled again.');
    expect((await login('kim@example.com', 'kim-long-password')).status).toBe(200);
  });

  it('reads in Simplified Chinese', async () => {
    const supervisor = await signIn('supervisor@example.com', { locale: 'zh-CN' });
    await supervisor.getByRole('button', { name: '团队' }).click();
    await expect.poll(() => supervisor.locator('#roster-title').textContent(), POLL).toBe('客服');
    const billie = supervisor.locator('.roster-agent[data-agent-id=agent-billing]');
    await expect.poll(() => billie.locator('.roster-status').textContent(), ROSTER_POLL).toMatch(/^离线/);
    expect(await billie.locator('.roster-load').textContent()).toBe('0 / 3 个会话');
    expect(await supervisor.locator('#queues-title').textContent()).toBe('队列');

    const admin = await signIn('admin@example.com', { locale: 'zh-CN' });
    await admin.getByRole('button', { name: '设置' }).click();
    await admin.locator('.settings-sections').getByRole('button', { name: '客服' }).click();
    const create = admin.locator('form.team-create');
    await expect.poll(() => create.locator('h3').textContent(), POLL).toBe('添加客服');
    expect(await create.getByRole('button', { name: '创建客服' }).count()).toBe(1);
    await screenshot(admin, 'console-team-admin-zh');
  });
});
