import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isForbiddenAddress, type AddressPolicy } from '../../domain/webhooks';
import type { PostOutcome, WebhookTransport } from '../../ports/webhooks';

export interface TransportSettings extends AddressPolicy {
  /** The whole attempt (connect, send, first response bytes) must finish within this. */
  readonly timeoutMs: number;
}

/** A receiver's answer is read and dropped; only this much is drained. */
const MAX_RESPONSE_BYTES = 64 * 1024;

class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
}

/**
 * DNS lookup that refuses forbidden addresses (domain/webhooks.ts isForbiddenAddress). It is
 * the lookup the socket connects with, so the address checked is the address connected to: a
 * name that resolves to a private address, or re-resolves to one after the URL was saved (DNS
 * rebinding), is refused here.
 */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const allowed = addresses.filter((entry) => !isForbiddenAddress(entry.address, policy));
      if (allowed.length === 0) {
        callback(new ForbiddenAddressError(`${hostname} resolves only to private, loopback or link-local addresses`), '', 0);
        return;
      }
      if (options.all) callback(null, allowed as never, 0);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** POSTs with node:http(s): no redirects followed, a hard timeout, forbidden addresses refused at connect. */
export function nodeWebhookTransport(settings: TransportSettings): WebhookTransport {
  const lookup = guardedLookup(settings);
  return {
    post(url, body, headers) {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      return new Promise<PostOutcome>((resolve) => {
        let target: URL;
        try {
          target = new URL(url);
        } catch {
          resolve({ kind: 'error', error: 'invalid URL', durationMs: 0 });
          return;
        }
        // An IP literal skips DNS (and so the lookup): it is checked here instead.
        const literal = target.hostname.replace(/^\[|\]$/g, '');
        if (/^[\d.]+$|:/.test(literal) && isForbiddenAddress(literal, settings)) {
          resolve({ kind: 'error', error: 'refused: private, loopback or link-local address', durationMs: 0 });
          return;
        }
        const options: RequestOptions = {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
          lookup,
          signal: AbortSignal.timeout(settings.timeoutMs),
          agent: false,
        };
        const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
        const request = send(target, options, (response) => {
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > MAX_RESPONSE_BYTES) response.destroy();
          });
          const done = () => resolve({ kind: 'response', status: response.statusCode ?? 0, durationMs: elapsed() });
          response.on('end', done);
          response.on('close', done);
          response.on('error', done);
        });
        request.on('error', (error: Error) => {
          const reason =
            error.name === 'AbortError' || error.name === 'TimeoutError'
              ? `timed out after ${settings.timeoutMs} ms`
              : error instanceof ForbiddenAddressError || error.cause instanceof ForbiddenAddressError
                ? `refused: ${error.message}`
                : `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`;
          resolve({ kind: 'error', error: reason.slice(0, 300), durationMs: elapsed() });
        });
        request.end(body);
      });
    },
  };
}
