/**
 * How long a send can still be storing after its recipients' connections were read, and what
 * a connection that opens meanwhile does about it (docs/delivery.md "A connection that opens
 * during a send"). Free of I/O.
 *
 * A chat message reads its recipients' connections from the Redis directory in the same command
 * that counts its rate limit, before it stores the message (docs/connection-directory.md). A
 * connection that opens after that read and syncs before the message is stored is told of it
 * by neither: the push does not know the connection, and its sync ran too early.
 */

/**
 * The WebSocket and HTTP functions' Lambda timeout (lib/constructs/parley-function.ts): the
 * longest a send runs, from its directory read to its stored message. A send that dies
 * unacknowledged is resent by its client, and the resend reads the directory afresh.
 */
export const FUNCTION_TIMEOUT_SECONDS = 10;

/**
 * `session.recheckSeconds`: a client syncs once more this long after its connection's first
 * `session`. Every send whose directory read came before the connection opened has stored its
 * message by then: the function timeout, plus 2 s for a DynamoDB request still in flight when
 * the timeout struck and for the frames' way to and from the client.
 */
export const RECHECK_SECONDS = FUNCTION_TIMEOUT_SECONDS + 2;

/**
 * A push may go to the connections a directory read found only when the change it announces
 * was stored within this long of that read: a connection that opened after the read rechecks
 * later than that. The message path is held to it by its function's timeout; the router, whose
 * timeout is longer, checks (directoryReadStillValid) and reads the record otherwise.
 */
export const DIRECTORY_READ_VALID_SECONDS = FUNCTION_TIMEOUT_SECONDS;

/** Whether a change stored by `storedByMs` may be pushed to the connections a directory read at `readAtMs` found. */
export function directoryReadStillValid(readAtMs: number, storedByMs: number): boolean {
  return storedByMs - readAtMs <= DIRECTORY_READ_VALID_SECONDS * 1000;
}
