import type { AutoReplies } from '../domain/auto-replies';

/** A skill's auto-replies as stored, with who saved them last. */
export interface StoredAutoReplies {
  readonly skill: string;
  readonly autoReplies: AutoReplies;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** Auto-reply settings per skill (`_default` included): one item each, replaced whole on save. */
export interface AutoReplyStore {
  get(skill: string): Promise<StoredAutoReplies | undefined>;
  put(stored: StoredAutoReplies): Promise<void>;
}
