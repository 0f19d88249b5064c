import type { ChatMessage, ConversationSummary, ParleyEvents } from '../../../../clients/parley-client/src/index';
import type {
  CreatedTicket,
  CustomerConversationList,
  IssuedToken,
  SkillAvailability,
  TicketRequest,
} from '../../../../clients/web/http-api';
import type { PreviousConversationsState } from '../../../../clients/widget/previous-conversations';
import type { TranscriptEntry } from '../../../../clients/web/transcript';
import type { OfflineFormState } from '../../../../clients/widget/offline-form';
import type { Timers, WidgetApi, WidgetClient, WidgetEnvironment } from '../../../../clients/widget/widget-controller';
import type { EmailRequestState, HomeState, WidgetProblem, WidgetScreen } from '../../../../clients/widget/widget-screen';

/** A widget screen that keeps what it was last told, as a person would read it. */
export class FakeScreen implements WidgetScreen {
  isOpen = false;
  launcherVisible = true;
  content: 'chat' | 'prechat' | 'form' = 'chat';
  composerVisible = true;
  unread = 0;
  banner: string | undefined;
  notice: string | undefined;
  away: string | undefined;
  typing: string | undefined;
  error: string | undefined;
  entries: readonly TranscriptEntry[] = [];
  rating: 'hidden' | 'ask' | 'rated' = 'hidden';
  closedText: string | undefined;
  offline: OfflineFormState | undefined;
  handoff = false;
  offer: EmailRequestState | undefined;
  transcriptRequest: EmailRequestState | undefined;
  previous: PreviousConversationsState | undefined;
  home: HomeState | undefined;
  problem: WidgetProblem | undefined;

  setOpen(open: boolean): void {
    this.isOpen = open;
  }
  setLauncherVisible(visible: boolean): void {
    this.launcherVisible = visible;
  }
  setContent(content: 'chat' | 'prechat' | 'form'): void {
    this.content = content;
  }
  setComposerVisible(visible: boolean): void {
    this.composerVisible = visible;
  }
  setUnread(count: number): void {
    this.unread = count;
  }
  setBanner(text: string | undefined): void {
    this.banner = text;
  }
  setNotice(text: string | undefined): void {
    this.notice = text;
  }
  setAway(text: string | undefined): void {
    this.away = text;
  }
  setTyping(text: string | undefined): void {
    this.typing = text;
  }
  setError(text: string | undefined): void {
    this.error = text;
  }
  upload: string | undefined;
  setUpload(text: string | undefined): void {
    this.upload = text;
  }
  clearComposer(): void {}
  renderMessages(entries: readonly TranscriptEntry[]): void {
    this.entries = entries;
  }
  resetMessages(): void {
    this.entries = [];
  }
  showRating(state: 'hidden' | 'ask' | 'rated', closedText?: string): void {
    this.rating = state;
    this.closedText = closedText;
  }
  showOfflineForm(state: OfflineFormState): void {
    this.offline = state;
  }
  showHandoff(visible: boolean): void {
    this.handoff = visible;
  }
  showOffer(state: EmailRequestState | undefined): void {
    this.offer = state;
  }
  showTranscriptRequest(state: EmailRequestState | undefined): void {
    this.transcriptRequest = state;
  }
  showPrevious(state: PreviousConversationsState | undefined): void {
    this.previous = state;
  }
  showHome(home: HomeState | undefined): void {
    this.home = home;
  }
  showProblem(problem: WidgetProblem | undefined): void {
    this.problem = problem;
  }
}

type Listener = (payload: never) => void;

/** A ParleyClient stand-in: records the actions the widget takes and lets a test play server events. */
export class FakeClient {
  state: WidgetClient['state'] = 'ready';
  user: WidgetClient['user'] = { id: 'guest:ann', role: 'customer' };
  readonly actions: unknown[][] = [];
  summaries: ConversationSummary[] = [];
  connects = 0;
  closes = 0;
  private readonly listeners = new Map<string, Listener[]>();
  private sends = 0;

  constructor(readonly options: { url: string; storageNamespace: string }) {}

  on<K extends keyof ParleyEvents>(event: K, listener: (payload: ParleyEvents[K]) => void): () => void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as Listener]);
    return () => undefined;
  }
  emit<K extends keyof ParleyEvents>(event: K, payload: ParleyEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (p: ParleyEvents[K]) => void)(payload);
  }
  connect(): Promise<void> {
    this.connects += 1;
    return Promise.resolve();
  }
  close(): void {
    this.closes += 1;
  }
  dispose(): void {}
  send(conversationId: string | undefined, text: string) {
    this.actions.push(['send', conversationId, text]);
    return this.pendingSend();
  }
  start(request: unknown) {
    this.actions.push(['start', request]);
    return this.pendingSend();
  }
  typing(): void {}
  /** The `read` marks sent, in order. */
  readonly reads: [string, number][] = [];
  markRead(conversationId: string, seq: number): void {
    this.reads.push([conversationId, seq]);
  }
  rate(...args: unknown[]): void {
    this.actions.push(['rate', ...args]);
  }
  handoff(conversationId: string): void {
    this.actions.push(['handoff', conversationId]);
  }
  convertToTicket(...args: unknown[]): void {
    this.actions.push(['ticket', ...args]);
  }
  requestTranscript(...args: unknown[]): void {
    this.actions.push(['transcript', ...args]);
  }
  messages() {
    return [];
  }
  conversations(): ConversationSummary[] {
    return this.summaries;
  }
  pending() {
    return [];
  }

  private pendingSend() {
    this.sends += 1;
    return { clientMsgId: `c${this.sends}`, promise: new Promise<never>(() => undefined) };
  }
}

/** The HTTP API as the widget calls it: answers set by the test, calls recorded. */
export class FakeApi implements WidgetApi {
  availabilityAnswer: SkillAvailability | Error = {
    skill: 'billing',
    open: true,
    agentsOnline: 1,
    behaviour: 'queue',
    timeZone: 'Europe/Berlin',
  };
  ticketAnswers: Array<CreatedTicket | Error> = [];
  /** Failures for the next guest token requests, in order (then tokens are issued). */
  guestFailures: Error[] = [];
  /** Messages the history endpoint answers with. */
  historyAnswer: ChatMessage[] = [];
  /** Holds guest token requests until release() (Enter pressed before the token arrives). */
  holdGuests = false;
  readonly availabilityCalls: Array<string | undefined> = [];
  readonly ticketCalls: Array<{ token: string; request: TicketRequest }> = [];
  guestCalls = 0;
  /** Resolves the next ticket call when the test says so (to submit twice while one is in flight). */
  holdTickets = false;
  private held: Array<() => void> = [];

  availability(skill?: string): Promise<SkillAvailability> {
    this.availabilityCalls.push(skill);
    const answer = this.availabilityAnswer;
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }
  async guest(): Promise<IssuedToken> {
    this.guestCalls += 1;
    if (this.holdGuests) await new Promise<void>((resolve) => this.held.push(resolve));
    const failure = this.guestFailures.shift();
    if (failure) throw failure;
    return {
      token: `${b64({ alg: 'ES256' })}.${b64({ sub: 'guest:ann' })}.sig`,
      expiresAt: '2999-01-01T00:00:00Z',
      user: { id: 'guest:ann', role: 'customer', name: 'Ann' },
    };
  }
  /** The customer's conversations, pages by `before` (undefined: the first); calls recorded. */
  customerPages = new Map<string | undefined, CustomerConversationList>();
  readonly customerCalls: Array<{ customerId: string; before?: string | undefined }> = [];
  /** Per conversation (previous conversations); otherwise `historyAnswer` up to `upTo`. */
  historyAnswers = new Map<string, ChatMessage[]>();
  readonly historyCalls: string[] = [];

  async customerConversations(_token: string, customerId: string, page: { before?: string } = {}): Promise<CustomerConversationList> {
    this.customerCalls.push({ customerId, before: page.before });
    return this.customerPages.get(page.before) ?? { customerId, conversations: [] };
  }
  async history(_token: string, conversationId: string, upTo = Number.POSITIVE_INFINITY): Promise<ChatMessage[]> {
    this.historyCalls.push(conversationId);
    const answer = this.historyAnswers.get(conversationId) ?? this.historyAnswer;
    return answer.filter((message) => message.conversationId === conversationId && message.seq <= upTo);
  }
  async createTicket(token: string, request: TicketRequest): Promise<CreatedTicket> {
    this.ticketCalls.push({ token, request });
    if (this.holdTickets) await new Promise<void>((resolve) => this.held.push(resolve));
    const answer = this.ticketAnswers.shift() ?? { id: 't1', state: 'open', customer: { email: request.email } };
    if (answer instanceof Error) throw answer;
    return answer;
  }
  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT-shaped token with these claims (unsigned; the widget only reads claims to prefill). */
export function tokenWith(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'HS256' })}.${b64(claims)}.sig`;
}

export class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** Timers the test runs by hand: intervals and timeouts are listed, never fired by the clock. */
export class ManualTimers implements Timers {
  readonly intervals = new Map<number, { callback: () => void; ms: number }>();
  readonly timeouts = new Map<number, { callback: () => void; ms: number }>();
  private next = 0;
  setTimeout(callback: () => void, ms: number): unknown {
    this.next += 1;
    this.timeouts.set(this.next, { callback, ms });
    return this.next;
  }
  clearTimeout(handle: unknown): void {
    this.timeouts.delete(handle as number);
  }
  /** Runs the timeouts of exactly this delay (as if that much time passed for them). */
  fireTimeouts(ms: number): void {
    for (const [handle, timeout] of [...this.timeouts]) {
      if (timeout.ms !== ms) continue;
      this.timeouts.delete(handle);
      timeout.callback();
    }
  }
  setInterval(callback: () => void, ms: number): unknown {
    this.next += 1;
    this.intervals.set(this.next, { callback, ms });
    return this.next;
  }
  clearInterval(handle: unknown): void {
    this.intervals.delete(handle as number);
  }
  fireIntervals(): void {
    for (const { callback } of this.intervals.values()) callback();
  }
}

export interface FakePage {
  readonly env: WidgetEnvironment;
  readonly api: FakeApi;
  readonly timers: ManualTimers;
  readonly clients: FakeClient[];
  visible: boolean;
  becomeVisible(): void;
}

export function fakePage(options: { now?: string; timeZone?: string } = {}): FakePage {
  const api = new FakeApi();
  const timers = new ManualTimers();
  const clients: FakeClient[] = [];
  const visibilityListeners: Array<() => void> = [];
  let ids = 0;
  const page: FakePage = {
    api,
    timers,
    clients,
    visible: true,
    becomeVisible: () => {
      page.visible = true;
      for (const listener of visibilityListeners) listener();
    },
    env: {
      api,
      createClient: (clientOptions) => {
        const client = new FakeClient(clientOptions);
        clients.push(client);
        return client as unknown as WidgetClient;
      },
      storage: new MemoryStorage() as unknown as Storage,
      session: new MemoryStorage() as unknown as Storage,
      isVisible: () => page.visible,
      onVisibilityChange: (listener) => visibilityListeners.push(listener),
      timers,
      now: () => new Date(options.now ?? '2026-12-03T20:00:00Z'),
      timeZone: options.timeZone ?? 'Europe/Berlin',
      newId: () => {
        ids += 1;
        return `offline-${ids}`;
      },
      visitorPage: () => ({ page: 'https://shop.example/cart', userAgent: 'TestBrowser/1.0' }),
    },
  };
  return page;
}

/** Lets the fakes' already-settled promises run their continuations (no clock involved). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
