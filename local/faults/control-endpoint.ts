import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../gateway/request-body';
import type { FaultInjector } from './fault-injector';
import { FaultSettingsError, checkFaultUpdate } from './fault-settings';

export const FAULTS_PATH = '/_local/faults';

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/**
 * `GET /_local/faults` shows the settings and what fired; `POST /_local/faults` with a JSON
 * object of settings changes them (e.g. `{"postGone": 0.05}`); `DELETE` turns every fault off.
 * Returns false for any other path so the HTTP emulator can answer 404.
 */
export async function handleFaultControl(req: IncomingMessage, res: ServerResponse, faults: FaultInjector): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0];
  if (path !== FAULTS_PATH) return false;
  const state = () => ({ settings: faults.settings, counts: faults.counts() });
  switch (req.method) {
    case 'GET':
      reply(res, 200, state());
      return true;
    case 'POST': {
      const read = await readBody(req, 16 * 1024);
      if (read.kind === 'too-large') {
        reply(res, 413, { error: { code: 'too_large', message: 'fault settings are at most 16 KB' } });
        return true;
      }
      try {
        faults.update(checkFaultUpdate(JSON.parse(read.body.toString('utf8') || '{}')));
      } catch (error) {
        const message = error instanceof FaultSettingsError || error instanceof SyntaxError ? error.message : 'invalid fault settings';
        reply(res, 400, { error: { code: 'bad_request', message } });
        return true;
      }
      reply(res, 200, state());
      return true;
    }
    case 'DELETE':
      faults.update(Object.fromEntries(Object.keys(faults.settings).map((key) => [key, 0])));
      reply(res, 200, state());
      return true;
    default:
      reply(res, 405, { error: { code: 'bad_request', message: 'use GET, POST or DELETE' } });
      return true;
  }
}
