import { hashPassword } from '../functions/adapters/crypto/password-hasher';
import type { AutoReplies } from '../functions/domain/auto-replies';
import type { AgentDirectory, AgentProfile } from '../functions/ports/agent-directory';
import type { BusinessHours } from '../functions/domain/business-hours';
import type { AutoReplyStore } from '../functions/ports/auto-reply-store';
import { cannedScope, type CannedResponseBody } from '../functions/domain/canned-responses';
import type { CannedResponseStore } from '../functions/ports/canned-response-store';
import type { CredentialStore } from '../functions/ports/credential-store';
import type { HoursStore } from '../functions/ports/hours-store';
import type { ConfiguredSkill } from '../functions/domain/skills';
import type { SkillStore } from '../functions/ports/skill-store';

export const DEMO_PASSWORD = 'parley-demo';

export const DEMO_AGENTS: ReadonlyArray<AgentProfile> = [
  { id: 'agent-billing', email: 'agent.billing@example.com', name: 'Billie (billing)', role: 'agent', skills: ['billing'], capacity: 3 },
  {
    id: 'agent-tech',
    email: 'agent.tech@example.com',
    name: 'Tess (billing, tech)',
    role: 'agent',
    skills: ['billing', 'tech'],
    capacity: 3,
  },
  // Manages agents (/v1/agents) and sees the queues (/v1/queues).
  { id: 'admin', email: 'admin@example.com', name: 'Ada (admin)', role: 'admin', skills: [], capacity: 1 },
  // Sees the queues and may take part in and transfer any conversation.
  { id: 'supervisor', email: 'supervisor@example.com', name: 'Sam (supervisor)', role: 'supervisor', skills: [], capacity: 3 },
];

/** The demo's configured skills (the demo agents serve them; the widget demo's ?skill= picks one). */
export const DEMO_SKILLS: ReadonlyArray<ConfiguredSkill> = [
  { id: 'billing', names: { en: 'Billing', 'zh-CN': '账单' } },
  { id: 'tech', names: { en: 'Tech support', 'zh-CN': '技术支持' } },
];

export async function seedDemoSkills(store: SkillStore, now: string): Promise<void> {
  for (const skill of DEMO_SKILLS) await store.put({ ...skill, updatedAt: now, updatedBy: 'seed' });
}

/** Configures skills named by their ids (a stack's `skills` option: tests that route other skills). */
export async function seedSkills(store: SkillStore, ids: readonly string[], now: string): Promise<void> {
  for (const id of ids) await store.put({ id, names: { en: id }, updatedAt: now, updatedBy: 'seed' });
}

/** Demo agents for the local stack; re-seeding replaces them with the same ids. */
export async function seedDemoAgents(directory: AgentDirectory, credentials: CredentialStore): Promise<void> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const agent of DEMO_AGENTS) {
    await directory.put(agent);
    // Its own partition (CREDENTIAL#<id>), which only sign-in may read.
    await credentials.setPasswordHash(agent.id, passwordHash);
  }
}

const OFFICE_DAY = [{ from: '09:00', to: '17:00' }];
const WHOLE_DAY = [{ from: '00:00', to: '24:00' }];

/**
 * Demo business hours: billing keeps office hours in Berlin and shows the offline form when
 * closed, so a newcomer sees both states over a week; tech answers around the clock and
 * queues. No `_default`: every other skill is always open.
 */
export const DEMO_HOURS: Readonly<Record<string, BusinessHours>> = {
  billing: {
    timeZone: 'Europe/Berlin',
    weekly: { mon: OFFICE_DAY, tue: OFFICE_DAY, wed: OFFICE_DAY, thu: OFFICE_DAY, fri: OFFICE_DAY },
    closed: [],
    behaviour: 'form',
  },
  tech: {
    timeZone: 'UTC',
    weekly: { mon: WHOLE_DAY, tue: WHOLE_DAY, wed: WHOLE_DAY, thu: WHOLE_DAY, fri: WHOLE_DAY, sat: WHOLE_DAY, sun: WHOLE_DAY },
    closed: [],
    behaviour: 'queue',
  },
};

export async function seedDemoHours(hours: HoursStore, now: string): Promise<void> {
  for (const [skill, schedule] of Object.entries(DEMO_HOURS)) await hours.put(skill, schedule, { by: 'seed', now });
}

/**
 * Demo auto-replies (docs/auto-replies.md): billing welcomes every new chat and answers refund
 * questions in English and Chinese; tech answers password resets by pattern. A question no
 * rule answers goes to the queue as before.
 */
export const DEMO_AUTO_REPLIES: Readonly<Record<string, AutoReplies>> = {
  billing: {
    welcome: {
      en: 'Hi! You are through to Billing. Ask away; a person takes over whenever you like.',
      'zh-CN': '您好！这里是账单服务。请直接提问；您随时可以转人工。',
    },
    botName: 'Billing Bot',
    rules: [
      {
        id: 'refunds',
        keywords: ['refund', 'refunds', 'money back', '退款', '退钱'],
        answer: {
          en: 'Refunds go back to the card you paid with within 5 working days of approval. Open Billing > Orders, pick the order and choose "Request refund". Still stuck? Ask for a person.',
          'zh-CN': '退款批准后 5 个工作日内退回您付款的银行卡。请打开“账单 > 订单”，选择订单并点击“申请退款”。仍有问题？请转人工。',
        },
      },
    ],
  },
  tech: {
    botName: 'Tech Bot',
    rules: [
      {
        id: 'password-reset',
        pattern: '(?i)reset.*password|password.*reset|重置.*密码',
        answer: {
          en: 'Use "Forgot password?" on the sign-in page: the reset link we email is valid for 30 minutes.',
          'zh-CN': '请在登录页点击“忘记密码？”：我们发送的重置链接 30 分钟内有效。',
        },
      },
    ],
  },
};

/** Seeds the demo auto-replies (npm start); re-seeding replaces them. */
export async function seedDemoAutoReplies(store: AutoReplyStore, now: string): Promise<void> {
  for (const [skill, autoReplies] of Object.entries(DEMO_AUTO_REPLIES)) {
    await store.put({ skill, autoReplies, updatedAt: now, updatedBy: 'seed' });
  }
}

/**
 * Demo canned responses (docs/canned-responses.md): greetings and closings for everyone, in
 * English and Chinese, and a billing one; agents insert them with `/shortcut` in the console.
 */
export const DEMO_CANNED_RESPONSES: Readonly<Record<string, CannedResponseBody>> = {
  hello: { shortcut: 'hello', title: 'Greeting', text: 'Hello {customer.name}! I am {agent.name}. How can I help you today?' },
  moment: { shortcut: 'moment', title: 'One moment', text: 'Thanks, give me a moment to look into this.' },
  more: { shortcut: 'more', title: 'Anything else?', text: 'Is there anything else I can help you with?' },
  bye: { shortcut: 'bye', title: 'Goodbye', text: 'Thank you for contacting us. Have a great day!' },
  'hello-zh': { shortcut: 'nihao', title: '问候', text: '{customer.name}您好！我是{agent.name}，请问有什么可以帮您？' },
  'bye-zh': { shortcut: 'zaijian', title: '结束语', text: '感谢您的咨询，祝您生活愉快！' },
  'billing-refund': {
    shortcut: 'refund',
    title: 'Refund timing',
    text: 'Refunds go back to the card you paid with within 5 working days of approval.',
    skill: 'billing',
  },
};

/** Seeds the demo canned responses with their shortcut claims; re-seeding replaces them. */
export async function seedDemoCannedResponses(store: CannedResponseStore, now: string): Promise<void> {
  for (const [id, body] of Object.entries(DEMO_CANNED_RESPONSES)) {
    await store.claimShortcut(cannedScope(body.skill), body.shortcut, id, now);
    await store.put({ id, ...body, updatedAt: now, updatedBy: 'seed' });
  }
}
