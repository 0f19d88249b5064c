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
