import { describe, expect, it } from 'vitest';
import { allowedType, fileProblem } from '../../../clients/web/attachments';
import { translator } from '../../../clients/web/i18n';

const t = translator('en');

describe('the pages check a chosen file before asking for an upload', () => {
  it('types it by its extension, and refuses a browser type that disagrees', () => {
    expect(allowedType({ name: 'Screen.PNG', type: 'image/png' })).toBe('image/png');
    expect(allowedType({ name: 'notes.csv', type: '' })).toBe('text/csv');
    expect(allowedType({ name: 'photo.jpg', type: 'image/jpeg' })).toBe('image/jpeg');
    expect(allowedType({ name: 'cat.png', type: 'application/x-msdownload' })).toBeUndefined();
    expect(allowedType({ name: 'logo.svg', type: 'image/svg+xml' })).toBeUndefined();
    expect(allowedType({ name: 'README', type: '' })).toBeUndefined();
  });

  it('says why a file cannot be sent', () => {
    expect(fileProblem({ name: 'setup.exe', type: 'application/x-msdownload', size: 10 }, t)).toBe(
      'setup.exe cannot be sent: images (PNG, JPEG, GIF, WebP), PDF, text and CSV files only.',
    );
    expect(fileProblem({ name: 'big.pdf', type: 'application/pdf', size: 11 * 1024 * 1024 }, t)).toBe(
      'big.pdf is too large (at most 10 MB).',
    );
    expect(fileProblem({ name: 'ok.pdf', type: 'application/pdf', size: 1024 }, t)).toBeUndefined();
  });
});
