import type { CannedResponse } from '../domain/canned-responses';

/** Who holds a shortcut in a scope, and since when (a stale claim may be taken over). */
export interface ShortcutClaim {
  readonly ownerId: string;
  readonly claimedAt: string;
}

/**
 * Canned responses, each its own item, and one claim item per (scope, shortcut) that keeps
 * shortcuts unique without transactions: a save claims first, then writes the response.
 */
export interface CannedResponseStore {
  /** Every stored response (at most a few hundred). */
  list(): Promise<CannedResponse[]>;
  get(id: string): Promise<CannedResponse | undefined>;
  count(): Promise<number>;
  put(response: CannedResponse): Promise<void>;
  /** False when there was none. */
  delete(id: string): Promise<boolean>;
  /** Claims the shortcut for `ownerId` if free or already its own; else returns the current claim. */
  claimShortcut(
    scope: string,
    shortcut: string,
    ownerId: string,
    now: string,
  ): Promise<{ claimed: true } | { claimed: false; claim: ShortcutClaim }>;
  /** Takes a stale claim over, only if `staleOwnerId` still holds it; false when someone else got there first. */
  takeOverShortcut(scope: string, shortcut: string, ownerId: string, staleOwnerId: string, now: string): Promise<boolean>;
  /** Releases the claim if `ownerId` holds it (a no-op otherwise). */
  releaseShortcut(scope: string, shortcut: string, ownerId: string): Promise<void>;
}
