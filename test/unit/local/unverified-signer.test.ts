import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { HttpRequest } from '@smithy/core/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { startDynalite } from '../../../local/dynamodb/dynalite-server';
import { InProcessEndpoints } from '../../../local/in-process/endpoints';
import { InProcessRequestHandler } from '../../../local/in-process/sdk-request-handler';
import { amzDate, UnverifiedSigner } from '../../../local/in-process/unverified-signer';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('UnverifiedSigner', () => {
  it('writes a well-formed SigV4 authorization for the date, region and service, without computing a signature', async () => {
    const request = new HttpRequest({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 4566, path: '/', headers: {} });
    const signed = await new UnverifiedSigner(() => 'AKIDLOCAL').sign(request, {
      signingDate: new Date('2026-12-01T16:40:05.123Z'),
      signingRegion: 'eu-west-1',
      signingService: 'dynamodb',
    });
    expect(signed.headers['x-amz-date']).toBe('20261201T164005Z');
    expect(signed.headers.authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261201/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    );
    // The SDK's request is left as it was (signers return a copy).
    expect(request.headers).toEqual({});
  });

  it('formats each second once and a new second anew', () => {
    expect(amzDate(new Date('2026-12-01T16:40:05.001Z'))).toBe('20261201T164005Z');
    expect(amzDate(new Date('2026-12-01T16:40:05.999Z'))).toBe('20261201T164005Z');
    expect(amzDate(new Date('2026-12-01T16:40:06.000Z'))).toBe('20261201T164006Z');
  });

  it('is accepted by dynalite (which checks the form of a signature, not its HMAC)', async () => {
    const dynalite = await startDynalite({ port: 0 });
    cleanups.push(() => dynalite.close());
    const endpoints = new InProcessEndpoints();
    endpoints.register(dynalite.endpoint, dynalite.server);
    const requestHandler = new InProcessRequestHandler(endpoints);
    cleanups.push(() => requestHandler.close());
    const client = new DynamoDBClient({
      endpoint: dynalite.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler,
      signer: new UnverifiedSigner(() => 'local'),
    });
    const sent: string[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push(String((args.request as HttpRequest).headers.authorization));
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'recordAuthorization' },
    );
    await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    expect(sent).toEqual([
      expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/\w+\/aws4_request, .*Signature=0{64}$/),
    ]);
  });
});
