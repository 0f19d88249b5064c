import type { LimitCheck } from '../domain/limits';
import type { ConnectionRecord } from './connection-store';
import type { RateDecision } from './rate-limiter';

/**
 * What one directory read found (docs/connection-directory.md). `known`: users whose live
 * connections the directory holds (an empty list is a real "none"); `fillTokens`: users it
 * does not know, each with the token a later `fill` must present (a flush or a connect in
 * between voids it, so a stale Query never marks a user known). A user in neither was not
 * asked about: the caller reads the record.
 */
export interface ConnectionsLookup {
  readonly known: ReadonlyMap<string, readonly ConnectionRecord[]>;
  readonly fillTokens: ReadonlyMap<string, string>;
}

/** A conversation's recipients as the message path's admit read them, with its participants hint. */
export interface DirectoryLookup extends ConnectionsLookup {
  /** The participants the directory remembered for the conversation (empty: none). */
  readonly hinted: readonly string[];
  readonly conversationId: string;
}

export interface AdmittedMessage {
  /** One decision per check, in order, as RateLimiter.consume answers them. */
  readonly decisions: readonly RateDecision[];
  /** Absent when the directory could not be read (the caller Queries, as before). */
  readonly recipients?: DirectoryLookup | undefined;
}

/** A user's connections read from the record after a lookup, to put into the directory. */
export interface DirectoryFill {
  readonly userId: string;
  /** The lookup's token for this user; without one the user is not marked known. */
  readonly token?: string | undefined;
  readonly connections: readonly ConnectionRecord[];
}

/**
 * A frame due to one user outside a conversation's message path (a queue position), under a
 * key naming what it tells (e.g. `queued:<conversationId>`), with a digest of its content.
 */
export interface KeyedPush {
  readonly userId: string;
  readonly key: string;
  readonly digest: string;
  /** Sent even when its digest is the one last sent under its key (e.g. a conversation that just joined a queue). */
  readonly force?: boolean;
}

/** What one `lookupPushes` read found. */
export interface PushLookup {
  /** Keys whose digest is the one last sent under them (and not forced): nothing new to tell. */
  readonly unchanged: ReadonlySet<string>;
  /** As DirectoryLookup's: the other pushes' recipients the directory knows, and tokens for those it does not. */
  readonly known: ReadonlyMap<string, readonly ConnectionRecord[]>;
  readonly fillTokens: ReadonlyMap<string, string>;
}

/**
 * A cache of each user's live connections beside the rate-limit state (DynamoDB stays the
 * record). `admit` takes the sender's rate-limit counters and reads the recipients of a
 * conversation in one command; `fill` repopulates what a lookup did not know.
 */
export interface ConnectionDirectory {
  /** Never throws: an unreachable store answers `unknown` decisions and no recipients. */
  admit(checks: readonly LimitCheck[], conversationId: string): Promise<AdmittedMessage>;
  /** Best effort: remembers the conversation's participants and fills users whose token still holds. */
  fill(lookup: DirectoryLookup, participants: readonly string[], fills: readonly DirectoryFill[]): Promise<void>;
  /**
   * After the record is written: adds the connection if the user is known. Otherwise answers
   * a fill token (voiding any fill in flight): a consistent Query of the record made after
   * this call may fill the user with it.
   */
  add(connection: ConnectionRecord): Promise<string | undefined>;
  /** Best effort: fills users whose token still holds, outside any conversation. */
  fillUsers(fills: readonly DirectoryFill[]): Promise<void>;
  /**
   * One read for pushes outside a conversation: which are unchanged since the last frame
   * sent under their key, and the others' recipients. Never throws: undefined when the store
   * cannot be read (the caller pushes everything and Queries, as without a directory).
   */
  lookupPushes(pushes: readonly KeyedPush[]): Promise<PushLookup | undefined>;
  /** Best effort: remembers the digests of the frames just sent under their keys, and fills users. */
  rememberPushes(sent: readonly Pick<KeyedPush, 'key' | 'digest'>[], fills: readonly DirectoryFill[]): Promise<void>;
  /** After the record is removed. */
  remove(userId: string, connectionId: string): Promise<void>;
}
