import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEB_ASSET_PATHS, buildWebAssets, configScript } from '../../clients/build';
import { STATIC_SECURITY_HEADERS, serveFile } from './static-files';

export interface WebPages {
  /** Answers the web paths (for the HTTP API emulator's `fallback`); false for anything else. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Removes the built files. */
  dispose(): Promise<void>;
}

/** Paths of the pages, relative to the HTTP API's base URL. */
export const WEB_PATHS = {
  widget: `/${WEB_ASSET_PATHS.widget}`,
  console: '/console/',
  demo: '/demo/',
  config: `/${WEB_ASSET_PATHS.config}`,
} as const;

/**
 * Builds the widget, console and demo page into a temporary folder and serves them next to
 * the HTTP API, with a `config.js` naming this stack's endpoints (as the CDK stack writes one
 * at deploy time).
 */
export async function startWebPages(endpoints: { httpUrl: string; wsUrl: string }): Promise<WebPages> {
  const root = await mkdtemp(join(tmpdir(), 'parley-web-'));
  try {
    await buildWebAssets(root);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const fixed = Buffer.from(configScript(endpoints));
  // Bound to every interface (HOST=0.0.0.0): point the pages at the host name they were loaded from.
  const wildcard = (url: string) => ['0.0.0.0', '[::]'].includes(new URL(url).hostname);
  const configFor = (req: IncomingMessage): Buffer => {
    const requested = req.headers.host?.replace(/:\d+$/, '');
    if (!requested || (!wildcard(endpoints.httpUrl) && !wildcard(endpoints.wsUrl))) return fixed;
    const rehost = (url: string) => {
      const parsed = new URL(url);
      if (wildcard(url)) parsed.hostname = requested;
      return parsed.toString().replace(/\/$/, '');
    };
    return Buffer.from(configScript({ httpUrl: rehost(endpoints.httpUrl), wsUrl: rehost(endpoints.wsUrl) }));
  };
  return {
    async handle(req, res) {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(302, { location: WEB_PATHS.demo }).end();
        return true;
      }
      if (path === WEB_PATHS.config && (req.method === 'GET' || req.method === 'HEAD')) {
        const config = configFor(req);
        res.writeHead(200, {
          ...STATIC_SECURITY_HEADERS,
          'content-type': 'text/javascript; charset=utf-8',
          'content-length': String(config.length),
        });
        res.end(req.method === 'HEAD' ? undefined : config);
        return true;
      }
      return serveFile(root, req, res, path);
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
