import type { AvailabilityFrame, ChatMessage, ConversationSummary } from '../parley-client/src/index';

/** An HTTP API refusal, carrying the protocol's error code (or `network` when unreachable). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: { readonly id: string; readonly role: string; readonly name: string };
}

/** A staff sign-in or refresh: a short-lived access token and the session's next refresh token. */
export interface StaffTokens extends IssuedToken {
  readonly refreshToken: string;
  readonly refreshExpiresAt: string;
}

export interface QueueRow {
  readonly skill: string;
  readonly depth: number;
  readonly oldestWaitSeconds: number;
  readonly agentsOnline: number;
  readonly agentsAvailable: number;
}

export type AgentStatusName = 'online' | 'away' | 'offline';
export type StaffRole = 'agent' | 'supervisor' | 'admin';

/** `GET /v1/roster`: one agent's live state and the conversations it holds (docs/routing.md). */
export interface RosterEntry {
  readonly id: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly skills: readonly string[];
  readonly capacity: number;
  readonly disabled: boolean;
  readonly status: AgentStatusName;
  readonly statusSince?: string;
  readonly load: number;
  readonly conversations: readonly ConversationSummary[];
}

/** `GET/POST/PUT /v1/agents`: an agent as the admin API returns it. */
export interface AgentRecord {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly skills: readonly string[];
  readonly capacity: number;
  readonly disabled?: boolean;
  readonly presence: { readonly status: AgentStatusName; readonly load: number };
}

export interface NewAgentBody {
  readonly email: string;
  readonly name: string;
  readonly password: string;
  readonly role: StaffRole;
  readonly skills: readonly string[];
  readonly capacity: number;
}

export type AgentChangesBody = Partial<Omit<NewAgentBody, 'password'>> & { readonly disabled?: boolean; readonly password?: string };

/** `GET /v1/availability`: whether a skill's team can answer now, and what the widget does if not. */
export type SkillAvailability = Omit<AvailabilityFrame, 'type'> & {
  /** The admin's own first sentence of the away notice, per language (absent: the widget's wording). */
  readonly offHoursMessage?: { readonly en?: string; readonly 'zh-CN'?: string };
};

/** What the widget sends to `POST /v1/tickets` (the offline contact form). */
export interface TicketRequest {
  readonly skill?: string;
  readonly name: string;
  readonly email: string;
  readonly message: string;
  readonly clientMsgId: string;
}

/** The part of the created ticket the widget shows. */
export interface CreatedTicket {
  readonly id: string;
  readonly state: string;
  readonly customer: { readonly email: string };
}

export interface TimeRangeBody {
  readonly from: string;
  readonly to: string;
}

/** A skill's business hours as `GET/PUT /v1/skills/{skill}/hours` carry them (docs/routing.md). */
export interface BusinessHoursBody {
  readonly timeZone: string;
  readonly weekly: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', readonly TimeRangeBody[]>>;
  readonly closed: ReadonlyArray<{ readonly from: string; readonly to?: string; readonly label?: string }>;
  readonly behaviour: 'hide' | 'form' | 'queue';
  readonly offHoursMessage?: { readonly en?: string; readonly 'zh-CN'?: string };
}

/** A canned response as `/v1/canned-responses` carries it (docs/canned-responses.md); no skill: global. */
export interface CannedResponseBody {
  readonly shortcut: string;
  readonly title: string;
  readonly text: string;
  readonly skill?: string;
}

export interface CannedResponse extends CannedResponseBody {
  readonly id: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** A webhook endpoint as `/v1/webhooks` shows it (docs/webhooks.md): never its secret. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly description?: string;
  readonly events: readonly string[];
  readonly enabled: boolean;
  readonly secretHint: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface WebhookChanges {
  readonly url?: string;
  readonly description?: string;
  readonly events?: readonly string[];
  readonly enabled?: boolean;
  readonly rotateSecret?: true;
}

/** One delivery attempt from an endpoint's log. */
export interface WebhookAttempt {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly attempt: number;
  readonly at: string;
  readonly durationMs: number;
  readonly status?: number;
  readonly error?: string;
  readonly outcome: 'delivered' | 'retrying' | 'failed';
  readonly retryInSeconds?: number;
}

export type TicketState = 'open' | 'pending' | 'solved';

/** The ticket API's TicketSummary (docs/tickets.md). */
export interface TicketRow {
  readonly id: string;
  readonly skill: string;
  readonly state: TicketState;
  readonly customer: { readonly id: string; readonly name: string; readonly email: string; readonly emailStatus?: string };
  readonly assignee?: { readonly id: string; readonly name: string };
  readonly subject: string;
  readonly lastSeq: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** A reply stored but not emailed. */
  readonly unsentReplySeq?: number;
}

export interface TicketList {
  readonly tickets: TicketRow[];
  readonly next?: string;
  readonly skill: string;
  readonly skills: string[];
}

/** A skill's auto-replies as the admin API carries them (docs/auto-replies.md). */
export interface AutoRepliesSettings {
  welcome?: { en?: string; 'zh-CN'?: string };
  botName?: string;
  rules: Array<{ id: string; keywords?: string[]; pattern?: string; answer: { en: string; 'zh-CN'?: string } }>;
}

export interface AutoRepliesView {
  readonly skill: string;
  readonly autoReplies: AutoRepliesSettings;
  readonly source: 'skill' | '_default' | 'none';
}

export interface AutoReplyTrialResult {
  readonly match: { ruleId: string; answer: string; locale: string } | null;
  readonly welcome: string | null;
}

/** The HTTP half of the protocol (PROTOCOL.md section 6), for the widget and the console. */
/** A configured skill (`GET /v1/skills`); `default` marks the deployment's default skill. */
export interface SkillRow {
  readonly id: string;
  readonly names: { readonly en: string; readonly 'zh-CN'?: string };
  readonly default?: boolean;
}

/** An agent who is online now (`GET /v1/agents/online`): the transfer picker's choices. */
export interface OnlineAgentRow {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly skills: readonly string[];
  readonly load: number;
  readonly capacity: number;
  readonly available: boolean;
}

/** One of a customer's conversations (`GET /v1/customers/{id}/conversations`); `context` for staff only. */
export interface CustomerConversation extends ConversationSummary {
  readonly closedAt?: string;
  readonly rating?: { readonly score: number; readonly comment?: string };
  readonly context?: {
    readonly email?: string;
    readonly attrs?: Readonly<Record<string, string | number | boolean>>;
    readonly locale?: string;
    readonly timeZone?: string;
    readonly page?: string;
    readonly referrer?: string;
    readonly userAgent?: string;
  };
}

export interface CustomerConversationList {
  readonly customerId: string;
  readonly conversations: CustomerConversation[];
  readonly next?: string;
}

/** One line of a report (docs/reports.md): durations in ms, null when nothing was measured. */
export interface ReportLine {
  readonly key: string;
  readonly label: string;
  readonly started: number;
  readonly answered: number;
  readonly abandonedInQueue: number;
  readonly tickets: number;
  readonly messages: number;
  readonly closed: number;
  readonly waitP50Ms: number | null;
  readonly waitP90Ms: number | null;
  readonly firstResponseP50Ms: number | null;
  readonly firstResponseP90Ms: number | null;
  readonly handleAvgMs: number | null;
  readonly csatAverage: number | null;
  readonly csatCount: number;
}

export interface Report {
  readonly from: string;
  readonly to: string;
  readonly groupBy: 'day' | 'agent' | 'skill';
  readonly timeZone: 'UTC';
  readonly lines: readonly ReportLine[];
  readonly totals: ReportLine;
}

export interface RatingRow {
  readonly conversationId: string;
  readonly agentId: string;
  readonly skill: string;
  readonly score: number;
  readonly comment?: string;
  readonly at: string;
}

/** One search result (GET /v1/search): a conversation and where it matched. */
export interface SearchHit {
  readonly conversationId: string;
  /** The matching message; 0 when the customer matched. */
  readonly seq: number;
  readonly at: string;
  /** Text around the match, with [start, length] of each matched word. */
  readonly snippet: { readonly text: string; readonly highlights: ReadonlyArray<readonly [number, number]> };
  readonly customer: { readonly id: string; readonly name: string };
  readonly skill: string;
  readonly status: ConversationSummary['status'];
  readonly agent?: { readonly id: string; readonly name: string };
  readonly lastSeq: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SearchPage {
  readonly results: SearchHit[];
  readonly cursor?: string;
}

export interface UploadGrant {
  readonly attachmentId: string;
  readonly upload: { readonly url: string; readonly fields: Readonly<Record<string, string>> };
  readonly expiresAt: string;
  readonly maxBytes: number;
}

export interface AttachmentLink {
  readonly url: string;
  readonly expiresAt: string;
}

export class HttpApi {
  constructor(private readonly baseUrl: string) {}

  guest(profile: { name?: string; email?: string }): Promise<IssuedToken> {
    return this.call('POST', '/v1/auth/guest', undefined, profile);
  }

  /** Public, no token: the widget asks before it shows anything. */
  availability(skill?: string): Promise<SkillAvailability> {
    return this.call('GET', `/v1/availability${skill ? `?skill=${encodeURIComponent(skill)}` : ''}`);
  }

  /** The offline form: a ticket answered by email (idempotent by clientMsgId). */
  async createTicket(token: string, request: TicketRequest): Promise<CreatedTicket> {
    const body = await this.call<{ ticket: CreatedTicket }>('POST', '/v1/tickets', token, request);
    return body.ticket;
  }

  login(email: string, password: string): Promise<StaffTokens> {
    return this.call('POST', '/v1/auth/login', undefined, { email, password });
  }

  /** Trades the refresh token for new tokens; the old refresh token is spent. */
  refresh(refreshToken: string): Promise<StaffTokens> {
    return this.call('POST', '/v1/auth/refresh', undefined, { refreshToken });
  }

  /** Ends the session the refresh token belongs to (and closes its sockets). */
  async logout(refreshToken: string): Promise<void> {
    await this.call('POST', '/v1/auth/logout', undefined, { refreshToken });
  }

  async conversations(token: string): Promise<ConversationSummary[]> {
    const body = await this.call<{ conversations: ConversationSummary[] }>('GET', '/v1/conversations?limit=100', token);
    return body.conversations;
  }

  async queues(token: string): Promise<QueueRow[]> {
    const body = await this.call<{ queues: QueueRow[] }>('GET', '/v1/queues', token);
    return body.queues;
  }

  async skills(token: string): Promise<SkillRow[]> {
    const body = await this.call<{ skills: SkillRow[] }>('GET', '/v1/skills', token);
    return body.skills;
  }

  /** Creates or renames a configured skill (admins). */
  async saveSkill(token: string, skill: string, names: SkillRow['names']): Promise<SkillRow> {
    const body = await this.call<{ skill: SkillRow }>('PUT', `/v1/skills/${encodeURIComponent(skill)}`, token, { names });
    return body.skill;
  }

  /** Deletes a configured skill (admins); a `conflict` ApiError says what still uses it. */
  async deleteSkill(token: string, skill: string): Promise<void> {
    await this.call('DELETE', `/v1/skills/${encodeURIComponent(skill)}`, token);
  }

  async onlineAgents(token: string): Promise<OnlineAgentRow[]> {
    const body = await this.call<{ agents: OnlineAgentRow[] }>('GET', '/v1/agents/online', token);
    return body.agents;
  }

  /** `GET /v1/reports` (supervisors, admins; docs/reports.md). */
  report(token: string, from: string, to: string, groupBy: 'day' | 'agent' | 'skill'): Promise<Report> {
    return this.call('GET', `/v1/reports?${new URLSearchParams({ from, to, groupBy })}`, token);
  }

  /** The same report as CSV text (`format=csv`). */
  async reportCsv(token: string, from: string, to: string, groupBy: 'day' | 'agent' | 'skill'): Promise<string> {
    const query = new URLSearchParams({ from, to, groupBy, format: 'csv' });
    const response = await fetch(`${this.baseUrl.replace(/\/$/, '')}/v1/reports?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok) throw new ApiError('internal', `HTTP ${response.status}`, response.status);
    return response.text();
  }

  /** `GET /v1/reports/ratings`: one agent's ratings with their comments, newest first. */
  ratings(token: string, agent: string, cursor?: string): Promise<{ ratings: RatingRow[]; nextCursor?: string }> {
    const query = new URLSearchParams({ agent, ...(cursor ? { cursor } : {}) });
    return this.call('GET', `/v1/reports/ratings?${query}`, token);
  }

  roster(token: string): Promise<{ agents: RosterEntry[]; generatedAt: string }> {
    return this.call('GET', '/v1/roster', token);
  }

  async agents(token: string): Promise<AgentRecord[]> {
    const body = await this.call<{ agents: AgentRecord[] }>('GET', '/v1/agents', token);
    return body.agents;
  }

  async createAgent(token: string, agent: NewAgentBody): Promise<AgentRecord> {
    const body = await this.call<{ agent: AgentRecord }>('POST', '/v1/agents', token, agent);
    return body.agent;
  }

  async updateAgent(token: string, id: string, changes: AgentChangesBody): Promise<AgentRecord> {
    const body = await this.call<{ agent: AgentRecord }>('PUT', `/v1/agents/${encodeURIComponent(id)}`, token, changes);
    return body.agent;
  }

  /** One page of a conversation's messages after `after` (monitoring reads only what is new). */
  messagesAfter(token: string, conversationId: string, after: number): Promise<{ messages: ChatMessage[]; more: boolean }> {
    return this.call('GET', `/v1/conversations/${encodeURIComponent(conversationId)}/messages?after=${after}&limit=200`, token);
  }

  /** A skill's own hours (`_default`: the deployment default); null when it has none. */
  async hours(token: string, skill: string): Promise<BusinessHoursBody | null> {
    const body = await this.call<{ hours: BusinessHoursBody | null }>('GET', `/v1/skills/${encodeURIComponent(skill)}/hours`, token);
    return body.hours;
  }

  async saveHours(token: string, skill: string, hours: BusinessHoursBody): Promise<BusinessHoursBody> {
    const body = await this.call<{ hours: BusinessHoursBody }>('PUT', `/v1/skills/${encodeURIComponent(skill)}/hours`, token, hours);
    return body.hours;
  }

  /** One skill's tickets in one state, newest activity first (no skill: the caller's first). */
  tickets(token: string, query: { skill?: string; state: TicketState; cursor?: string }): Promise<TicketList> {
    const params = new URLSearchParams({
      state: query.state,
      ...(query.skill ? { skill: query.skill } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return this.call('GET', `/v1/tickets?${params}`, token);
  }

  ticket(token: string, id: string): Promise<{ ticket: TicketRow; messages: ChatMessage[]; more: boolean }> {
    return this.call('GET', `/v1/tickets/${encodeURIComponent(id)}`, token);
  }

  async updateTicket(token: string, id: string, change: { state?: TicketState; assigneeId?: string | null }): Promise<TicketRow> {
    const body = await this.call<{ ticket: TicketRow }>('PUT', `/v1/tickets/${encodeURIComponent(id)}`, token, change);
    return body.ticket;
  }

  /** Stores the reply and emails it; an `unavailable` ApiError means stored but not emailed (resend to retry). */
  replyToTicket(token: string, id: string, text: string, clientMsgId: string): Promise<{ message: ChatMessage; ticket: TicketRow }> {
    return this.call('POST', `/v1/tickets/${encodeURIComponent(id)}/replies`, token, { text, clientMsgId });
  }

  autoReplies(token: string, skill: string): Promise<AutoRepliesView> {
    return this.call('GET', `/v1/skills/${encodeURIComponent(skill)}/auto-replies`, token);
  }

  saveAutoReplies(token: string, skill: string, settings: AutoRepliesSettings): Promise<AutoRepliesView> {
    return this.call('PUT', `/v1/skills/${encodeURIComponent(skill)}/auto-replies`, token, settings);
  }

  /** Which rule would answer `question`: the unsaved `settings` if given (the server runs the bot's own matcher). */
  tryAutoReplies(token: string, skill: string, question: string, settings?: AutoRepliesSettings): Promise<AutoReplyTrialResult> {
    return this.call('POST', `/v1/skills/${encodeURIComponent(skill)}/auto-replies/test`, token, {
      question,
      ...(settings ? { autoReplies: settings } : {}),
    });
  }

  /** The canned responses the caller may use (admins and supervisors: every one), global first. */
  async cannedResponses(token: string, skill?: string): Promise<CannedResponse[]> {
    const query = skill ? `?${new URLSearchParams({ skill })}` : '';
    const body = await this.call<{ cannedResponses: CannedResponse[] }>('GET', `/v1/canned-responses${query}`, token);
    return body.cannedResponses;
  }

  async saveCannedResponse(token: string, id: string, response: CannedResponseBody): Promise<CannedResponse> {
    const body = await this.call<{ cannedResponse: CannedResponse }>(
      'PUT',
      `/v1/canned-responses/${encodeURIComponent(id)}`,
      token,
      response,
    );
    return body.cannedResponse;
  }

  async deleteCannedResponse(token: string, id: string): Promise<void> {
    await this.call('DELETE', `/v1/canned-responses/${encodeURIComponent(id)}`, token);
  }

  /** Webhooks (admins, docs/webhooks.md). */
  async webhooks(token: string): Promise<WebhookEndpoint[]> {
    return (await this.call<{ webhooks: WebhookEndpoint[] }>('GET', '/v1/webhooks', token)).webhooks;
  }

  /** Registers an endpoint; the answer's `secret` is shown this once. */
  createWebhook(
    token: string,
    body: { url: string; events: readonly string[]; description?: string },
  ): Promise<{ webhook: WebhookEndpoint; secret: string }> {
    return this.call('POST', '/v1/webhooks', token, body);
  }

  /** Edits an endpoint; with `rotateSecret` the answer carries the new secret, once. */
  updateWebhook(token: string, id: string, changes: WebhookChanges): Promise<{ webhook: WebhookEndpoint; secret?: string }> {
    return this.call('PUT', `/v1/webhooks/${encodeURIComponent(id)}`, token, changes);
  }

  async deleteWebhook(token: string, id: string): Promise<void> {
    await this.call('DELETE', `/v1/webhooks/${encodeURIComponent(id)}`, token);
  }

  async testWebhook(token: string, id: string): Promise<void> {
    await this.call('POST', `/v1/webhooks/${encodeURIComponent(id)}/test`, token, {});
  }

  async webhookDeliveries(token: string, id: string): Promise<WebhookAttempt[]> {
    return (await this.call<{ deliveries: WebhookAttempt[] }>('GET', `/v1/webhooks/${encodeURIComponent(id)}/deliveries?limit=50`, token))
      .deliveries;
  }

  /** `GET /v1/search`: `q` (words, a conversation id, an email) or `customer` (email, id, name prefix); `cursor` pages on. */
  search(token: string, query: { q?: string; customer?: string; cursor?: string; limit?: number }): Promise<SearchPage> {
    const params = new URLSearchParams({
      ...(query.q ? { q: query.q } : {}),
      ...(query.customer ? { customer: query.customer } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(query.limit ? { limit: String(query.limit) } : {}),
    });
    return this.call('GET', `/v1/search?${params.toString()}`, token);
  }

  /** A customer's conversations and tickets, newest first (`before`: the `next` of the previous page). */
  customerConversations(
    token: string,
    customerId: string,
    page: { limit?: number; before?: string } = {},
  ): Promise<CustomerConversationList> {
    const query = new URLSearchParams({
      ...(page.limit ? { limit: String(page.limit) } : {}),
      ...(page.before ? { before: page.before } : {}),
    }).toString();
    return this.call('GET', `/v1/customers/${encodeURIComponent(customerId)}/conversations${query ? `?${query}` : ''}`, token);
  }

  /** Every stored message of a conversation up to `upTo` (inclusive), page by page. */
  async history(token: string, conversationId: string, upTo: number): Promise<ChatMessage[]> {
    const messages: ChatMessage[] = [];
    let after = 0;
    while (after < upTo) {
      const page = await this.call<{ messages: ChatMessage[]; more: boolean }>(
        'GET',
        `/v1/conversations/${encodeURIComponent(conversationId)}/messages?after=${after}&limit=200`,
        token,
      );
      messages.push(...page.messages);
      const last = page.messages.at(-1);
      if (!page.more || !last) break;
      after = last.seq;
    }
    return messages;
  }

  /** Staff (issue 10): every internal note of a conversation, page by page, in note-seq order. */
  async notes(token: string, conversationId: string): Promise<ChatMessage[]> {
    const notes: ChatMessage[] = [];
    let after = 0;
    for (;;) {
      const page = await this.call<{ notes: ChatMessage[]; more: boolean }>(
        'GET',
        `/v1/conversations/${encodeURIComponent(conversationId)}/notes?after=${after}&limit=200`,
        token,
      );
      notes.push(...page.notes);
      const last = page.notes.at(-1);
      if (!page.more || !last) return notes;
      after = last.seq;
    }
  }

  /** Issue 11: a presigned POST for one file in a conversation (docs/attachments.md). */
  requestUpload(token: string, request: { conversationId: string; name: string; contentType: string; size: number }): Promise<UploadGrant> {
    return this.call('POST', '/v1/attachments', token, request);
  }

  /** Issue 11: a short-lived download URL for an attachment sent in a conversation. */
  attachmentUrl(token: string, conversationId: string, attachmentId: string): Promise<AttachmentLink> {
    return this.call(
      'GET',
      `/v1/conversations/${encodeURIComponent(conversationId)}/attachments/${encodeURIComponent(attachmentId)}`,
      token,
    );
  }

  private async call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError('network', error instanceof Error ? error.message : String(error), 0);
    }
    const parsed: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(error?.code ?? 'internal', error?.message ?? `HTTP ${response.status}`, response.status);
    }
    return parsed as T;
  }
}
