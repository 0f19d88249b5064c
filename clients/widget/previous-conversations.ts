import type { ChatMessage } from '../parley-client/src/index';
import type { CustomerConversation, CustomerConversationList } from '../web/http-api';

/** What the widget's "Previous conversations" section shows. */
export interface PreviousConversationsState {
  readonly status: 'idle' | 'loading' | 'loaded' | 'failed';
  /** The customer's ended conversations and tickets, newest first (the one on screen left out). */
  readonly items: readonly CustomerConversation[];
  readonly more: boolean;
  /** One opened read-only, with its messages once loaded. */
  readonly opened?: { readonly conversation: CustomerConversation; readonly messages: readonly ChatMessage[]; readonly loading: boolean };
  readonly failure?: string;
}

export interface PreviousConversationsSource {
  list(before: string | undefined): Promise<CustomerConversationList>;
  messages(conversationId: string, upTo: number): Promise<ChatMessage[]>;
}

const PAGE_SIZE = 20;
export { PAGE_SIZE as PREVIOUS_PAGE_SIZE };

/**
 * The customer's past conversations (`GET /v1/customers/{own id}/conversations`): the same
 * identity (a guest on this browser, an identified customer anywhere) finds them again; each
 * opens read-only with its messages (`GET /v1/conversations/{id}/messages`).
 */
export class PreviousConversations {
  private state: PreviousConversationsState = { status: 'idle', items: [], more: false };
  private next: string | undefined;
  /** Bumped by every reload: an answer for an older one is dropped. */
  private generation = 0;

  constructor(
    private readonly source: PreviousConversationsSource,
    private readonly onChange: (state: PreviousConversationsState) => void,
  ) {}

  get current(): PreviousConversationsState {
    return this.state;
  }

  /** The first page again (after connecting, or when a conversation ends). */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    this.set({ ...this.state, status: 'loading' });
    try {
      const page = await this.source.list(undefined);
      if (generation !== this.generation) return;
      this.next = page.next;
      this.set({ ...this.withoutFailure(), status: 'loaded', items: this.past(page.conversations), more: page.next !== undefined });
    } catch (error) {
      if (generation === this.generation) this.set({ ...this.state, status: 'failed', failure: messageOf(error) });
    }
  }

  async loadMore(): Promise<void> {
    const before = this.next;
    if (!before || this.state.status === 'loading') return;
    const generation = this.generation;
    this.set({ ...this.state, status: 'loading' });
    try {
      const page = await this.source.list(before);
      if (generation !== this.generation) return;
      this.next = page.next;
      const known = new Set(this.state.items.map((item) => item.id));
      const items = [...this.state.items, ...this.past(page.conversations).filter((item) => !known.has(item.id))];
      this.set({ ...this.withoutFailure(), status: 'loaded', items, more: page.next !== undefined });
    } catch (error) {
      if (generation === this.generation) this.set({ ...this.state, status: 'failed', failure: messageOf(error) });
    }
  }

  async open(conversationId: string): Promise<void> {
    const conversation = this.state.items.find((item) => item.id === conversationId);
    if (!conversation) return;
    this.set({ ...this.state, opened: { conversation, messages: [], loading: true } });
    try {
      const messages = await this.source.messages(conversationId, conversation.lastSeq);
      if (this.state.opened?.conversation.id !== conversationId) return;
      this.set({ ...this.state, opened: { conversation, messages, loading: false } });
    } catch (error) {
      if (this.state.opened?.conversation.id !== conversationId) return;
      this.set({ ...this.state, opened: { conversation, messages: [], loading: false }, failure: messageOf(error) });
    }
  }

  close(): void {
    const { opened: _opened, ...rest } = this.state;
    this.set(rest);
  }

  /** Only what has ended (closed chats, tickets) is "previous"; an open chat is the one on screen. */
  private past(conversations: readonly CustomerConversation[]): CustomerConversation[] {
    return conversations.filter((item) => item.status === 'closed' || item.status === 'ticket');
  }

  private withoutFailure(): PreviousConversationsState {
    const { failure: _failure, ...rest } = this.state;
    return rest;
  }

  private set(state: PreviousConversationsState): void {
    this.state = state;
    this.onChange(state);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
