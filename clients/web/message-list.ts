import { h, stickToBottom } from './dom';
import type { MessageKey, Translate } from './i18n';
import type { TranscriptEntry } from './transcript';

export interface MessageListLabels {
  readonly t: Translate;
  readonly locale: string;
  /** The name shown above messages from others. */
  readonly nameOf: (entry: TranscriptEntry) => string;
  /** Issue 11: how a message's file is shown (clients/web/attachments.ts); without it, its name. */
  readonly renderAttachment?: (attachment: NonNullable<TranscriptEntry['attachment']>) => HTMLElement;
}

const DELIVERY_LABEL: Record<NonNullable<TranscriptEntry['delivery']>, MessageKey> = {
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
};

/** Server notices Parley sends as system messages, known by their clientMsgId, shown in the reader's language. */
const SYSTEM_NOTICES: ReadonlyArray<readonly [string, MessageKey]> = [
  ['notice:no-agent:', 'noticeNoAgent'],
  ['notice:requeued:', 'noticeRequeued'],
  ['notice:handoff:', 'noticeHandoff'],
  // Abandoned chats (functions/domain/abandonment.ts): the "still there?" check and the close.
  ['abandon-check:', 'noticeStillThere'],
  ['abandoned:', 'noticeAbandoned'],
];

function displayText(entry: TranscriptEntry, t: Translate): string {
  if (entry.sender?.role !== 'system') return entry.text;
  const notice = SYSTEM_NOTICES.find(([prefix]) => entry.key.startsWith(prefix));
  return notice ? t(notice[1]) : entry.text;
}

export function formatTime(ts: string, locale: string): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

/**
 * Renders a transcript into a list, updating elements in place (keyed by clientMsgId or
 * messageId) so a screen reader's live region announces only what is new.
 */
export class MessageList {
  readonly element: HTMLOListElement;
  private readonly items = new Map<string, HTMLLIElement>();

  constructor(
    private readonly labels: MessageListLabels,
    className = 'messages',
  ) {
    // A list announced as it grows: aria-live rather than role=log, which would strip the list
    // semantics its items need (axe: listitem).
    this.element = h('ol', { class: className, 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: 0 });
  }

  render(entries: readonly TranscriptEntry[]): void {
    stickToBottom(this.element, () => {
      const keep = new Set(entries.map((entry) => entry.key));
      for (const [key, item] of this.items) {
        if (!keep.has(key)) {
          item.remove();
          this.items.delete(key);
        }
      }
      let previous: Element | null = null;
      for (const entry of entries) {
        const item = this.items.get(entry.key) ?? this.create(entry);
        this.update(item, entry);
        const expectedNext: Element | null = previous ? previous.nextElementSibling : this.element.firstElementChild;
        if (expectedNext !== item) {
          if (previous) previous.after(item);
          else this.element.prepend(item);
        }
        previous = item;
      }
    });
  }

  clear(): void {
    this.items.clear();
    this.element.replaceChildren();
  }

  private create(entry: TranscriptEntry): HTMLLIElement {
    const item = h('li', { 'data-key': entry.key });
    this.items.set(entry.key, item);
    return item;
  }

  private update(item: HTMLLIElement, entry: TranscriptEntry): void {
    // The first-line bot speaks as a system sender with id `bot`, but reads as a participant with its name.
    const bot = !entry.own && entry.sender?.id === 'bot';
    const role = entry.own ? 'own' : entry.sender?.role === 'system' && !bot ? 'system' : 'other';
    const className = `message ${role}${bot ? ' bot' : ''}${entry.internal ? ' note' : ''}${entry.delivery ? ` ${entry.delivery}` : ''}`;
    const signature = JSON.stringify([className, entry.text, entry.seq, entry.failure, entry.attachment?.info.id]);
    if (item.dataset.signature === signature) return;
    item.dataset.signature = signature;
    item.className = className;
    if (entry.seq !== undefined) item.dataset.seq = String(entry.seq);
    const { t } = this.labels;
    const meta = h('span', { class: 'meta' }, formatTime(entry.ts, this.labels.locale));
    if (entry.delivery) {
      meta.append(' · ', h('span', { class: 'delivery', title: entry.failure ?? '' }, t(DELIVERY_LABEL[entry.delivery])));
    }
    // An internal note (staff views only) says so, and who wrote it; a transfer's note says it is one.
    const noteLabel = entry.internal
      ? [
          h(
            'span',
            { class: 'note-label' },
            `${t(entry.key.startsWith('note:transfer:') ? 'transferNoteLabel' : 'internalNote')}${role === 'other' ? ` · ${this.labels.nameOf(entry)}` : ''}`,
          ),
        ]
      : [];
    item.replaceChildren(
      ...noteLabel,
      ...(role === 'other' && !entry.internal ? [h('span', { class: 'author' }, this.labels.nameOf(entry))] : []),
      ...(entry.attachment && entry.text.trim() === '' ? [] : [h('p', { class: 'text' }, displayText(entry, t))]),
      ...(entry.attachment ? [this.attachmentOf(entry.attachment)] : []),
      meta,
    );
  }

  private attachmentOf(attachment: NonNullable<TranscriptEntry['attachment']>): HTMLElement {
    return (
      this.labels.renderAttachment?.(attachment) ?? h('p', { class: 'attachment' }, `📎 ${attachment.info.name ?? attachment.info.id}`)
    );
  }
}
