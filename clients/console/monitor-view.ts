import type { ConversationSummary } from '../parley-client/src/index';
import { h } from '../web/dom';
import type { HttpApi } from '../web/http-api';
import type { Translate } from '../web/i18n';
import { MessageList } from '../web/message-list';
import { Transcript } from '../web/transcript';

/** Supervisors get no live frames for conversations they are not in: new messages are read this often. */
export const MONITOR_POLL_MS = 3_000;

export interface MonitorContext {
  readonly t: Translate;
  readonly locale: string;
  readonly api: HttpApi;
  readonly withToken: <T>(call: (token: string) => Promise<T>) => Promise<T>;
}

/**
 * Watching a conversation without taking part (supervisors and admins): its messages as they
 * come, read through the history endpoint (which lets them see any conversation), with no
 * composer and no read marks sent, so the customer and agent see nothing of it.
 */
export class MonitorView {
  readonly element: HTMLElement;
  private readonly title: HTMLElement;
  private readonly meta: HTMLElement;
  private readonly error: HTMLElement;
  private readonly list: MessageList;
  private conversation: ConversationSummary | undefined;
  private transcript: Transcript | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reading = false;

  constructor(private readonly context: MonitorContext) {
    const { t, locale } = context;
    this.list = new MessageList(
      { t, locale, nameOf: (entry) => entry.sender?.name ?? entry.sender?.id ?? '' },
      'messages monitor-messages',
    );
    this.title = h('h2', { id: 'monitor-title' }, t('monitorPick'));
    this.meta = h('p', { class: 'monitor-meta' });
    this.error = h('p', { class: 'settings-status error', role: 'alert', hidden: true });
    const closeButton = h('button', { type: 'button', class: 'secondary', onclick: () => this.close() }, t('monitorClose'));
    this.element = h(
      'section',
      { class: 'monitor', 'aria-labelledby': 'monitor-title', 'data-monitoring': '' },
      h('div', { class: 'monitor-head' }, this.title, closeButton),
      this.meta,
      h('p', { class: 'monitor-note' }, t('monitorReadOnly')),
      this.error,
      this.list.element,
    );
    this.element.hidden = true;
  }

  get openId(): string | undefined {
    return this.conversation?.id;
  }

  open(conversation: ConversationSummary): void {
    const switched = conversation.id !== this.conversation?.id;
    this.conversation = conversation;
    if (switched) {
      this.transcript = new Transcript(conversation.id);
      this.list.clear();
    }
    const { t } = this.context;
    const name = conversation.customer.name ?? conversation.customer.id;
    this.title.textContent = t('monitorTitle', { name });
    this.element.dataset.monitoring = conversation.id;
    this.meta.textContent = [
      conversation.skill,
      conversation.agent ? t('monitorAgent', { name: conversation.agent.name ?? conversation.agent.id }) : t('monitorNoAgent'),
    ].join(' · ');
    this.element.hidden = false;
    void this.read();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.conversation = undefined;
    this.transcript = undefined;
    this.list.clear();
    this.element.hidden = true;
    delete this.element.dataset.monitoring;
  }

  /** Reads what is new, then again after MONITOR_POLL_MS while the same conversation is open. */
  private async read(): Promise<void> {
    const conversation = this.conversation;
    const transcript = this.transcript;
    if (!conversation || !transcript || this.reading) return;
    this.reading = true;
    clearTimeout(this.timer);
    try {
      let more = true;
      while (more && this.conversation === conversation) {
        const after = transcript.lastSeq;
        const page = await this.context.withToken((token) => this.context.api.messagesAfter(token, conversation.id, after));
        for (const message of page.messages) transcript.add(message);
        more = page.more && page.messages.length > 0;
      }
      this.error.hidden = true;
      if (this.transcript === transcript) this.list.render(transcript.entries(undefined, true));
    } catch (error) {
      this.error.textContent = this.context.t('errorGeneric', { message: error instanceof Error ? error.message : String(error) });
      this.error.hidden = false;
    } finally {
      this.reading = false;
      // Another conversation opened meanwhile: read it now.
      if (this.conversation) this.timer = setTimeout(() => void this.read(), this.conversation === conversation ? MONITOR_POLL_MS : 0);
    }
  }
}
