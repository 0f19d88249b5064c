import { describe, expect, it } from 'vitest';
import { configScript } from '../../../clients/build';
import { fileFor } from '../../../local/web/static-files';

describe('local static file serving', () => {
  const root = '/srv/web';

  it('maps paths inside the folder, directories to index.html', () => {
    expect(fileFor(root, '/widget.js')).toBe('/srv/web/widget.js');
    expect(fileFor(root, '/console/')).toBe('/srv/web/console/index.html');
    expect(fileFor(root, '/demo/index.html')).toBe('/srv/web/demo/index.html');
  });

  it('refuses anything that would leave the folder', () => {
    for (const path of ['/../etc/passwd', '/demo/../../etc/passwd', '/%2e%2e/etc/passwd', '/..%2fetc/passwd', '/a%00b', '/%E0%A4%A']) {
      expect(fileFor(root, path), path).toBeUndefined();
    }
  });
});

describe('config.js', () => {
  it('sets window.PARLEY_CONFIG to the endpoints, as JSON (no injection through the values)', () => {
    const script = configScript({ httpUrl: 'https://api.example.com', wsUrl: 'wss://ws.example.com/prod"};alert(1);//' });
    const window: { PARLEY_CONFIG?: unknown } = {};
    new Function('window', script)(window);
    expect(window.PARLEY_CONFIG).toEqual({ httpUrl: 'https://api.example.com', wsUrl: 'wss://ws.example.com/prod"};alert(1);//' });
  });
});
