import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One mail as the local SES endpoint accepted it (the `/_local/mail/messages` JSON shape). */
export interface SentMailRecord {
  readonly id: string;
  readonly from: string;
  readonly to: string[];
  readonly replyTo?: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  readonly purpose: string;
  readonly sentAt: string;
  /** Extra headers the sender set (In-Reply-To, References). */
  readonly headers: { readonly name: string; readonly value: string }[];
  readonly configurationSet?: string;
  /** The Message-ID a receiving client sees: `<id>@email.amazonses.com`, as SES writes it. */
  readonly messageIdHeader: string;
}

const FILE = 'sent-mail.json';
/** The local page is a debugging aid: the oldest mails go once there are this many. */
const MAX_KEPT = 1000;

export function newSesMessageId(): string {
  // SES ids look like 0100018c...-uuid-000000; a uuid keeps them unique and opaque here.
  return `0100${Date.now().toString(16)}-${randomUUID()}-000000`;
}

/** Every mail sent, newest last; written to `<data>/sent-mail.json` when the stack keeps data. */
export class SentMailStore {
  private readonly mails: SentMailRecord[];

  constructor(private readonly dataDir?: string) {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    this.mails = dataDir ? SentMailStore.load(dataDir) : [];
  }

  private static load(dataDir: string): SentMailRecord[] {
    try {
      const saved = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as unknown;
      return Array.isArray(saved) ? (saved as SentMailRecord[]) : [];
    } catch {
      return [];
    }
  }

  add(mail: SentMailRecord): void {
    this.mails.push(mail);
    if (this.mails.length > MAX_KEPT) this.mails.splice(0, this.mails.length - MAX_KEPT);
    if (this.dataDir) writeFileSync(join(this.dataDir, FILE), JSON.stringify(this.mails));
  }

  /** Newest first. */
  list(): SentMailRecord[] {
    return [...this.mails].reverse();
  }

  get(id: string): SentMailRecord | undefined {
    return this.mails.find((mail) => mail.id === id);
  }
}
