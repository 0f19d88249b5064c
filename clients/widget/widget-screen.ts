import type { TranscriptEntry } from '../web/transcript';
import type { OfflineFormState } from './offline-form';
import type { PreviousConversationsState } from './previous-conversations';

/** An email field with a submit, its progress and error (ticket offer, transcript request). */
export interface EmailRequestState {
  readonly email: string;
  readonly status: 'ask' | 'sending' | 'sent' | 'failed';
  readonly failure?: string;
}

/** The panel opened with no conversation: a greeting and whether the team is online (unknown: not said). */
export interface HomeState {
  readonly teamOnline: boolean | undefined;
}

/** Something that stops the chat (sign-in failed, the connection keeps failing), said in words with a retry. */
export interface WidgetProblem {
  readonly text: string;
  /** Offer the offline form instead (the HTTP API may still work when the socket does not). */
  readonly leaveEmail: boolean;
}

/**
 * What the controller tells the widget's DOM. WidgetView implements it; unit tests use a
 * fake that records the calls, so the controller runs without a browser.
 */
export interface WidgetScreen {
  readonly isOpen: boolean;
  setOpen(open: boolean): void;
  setLauncherVisible(visible: boolean): void;
  /** The panel's body: the chat, the pre-chat form or the offline contact form. */
  setContent(content: 'chat' | 'prechat' | 'form'): void;
  setComposerVisible(visible: boolean): void;
  setUnread(count: number): void;
  setBanner(text: string | undefined, offline?: boolean): void;
  setNotice(text: string | undefined): void;
  setAway(text: string | undefined): void;
  setTyping(text: string | undefined): void;
  setError(text: string | undefined): void;
  /** Issue 11: an upload in progress (undefined: none). */
  setUpload(text: string | undefined): void;
  clearComposer(): void;
  renderMessages(entries: readonly TranscriptEntry[]): void;
  resetMessages(): void;
  showRating(state: 'hidden' | 'ask' | 'rated', closedText?: string): void;
  showOfflineForm(state: OfflineFormState): void;
  showHandoff(visible: boolean): void;
  showOffer(state: EmailRequestState | undefined): void;
  showTranscriptRequest(state: EmailRequestState | undefined): void;
  /** The customer's previous conversations (hidden while there are none), one opened read-only. */
  showPrevious(state: PreviousConversationsState | undefined): void;
  showHome(home: HomeState | undefined): void;
  showProblem(problem: WidgetProblem | undefined): void;
}
