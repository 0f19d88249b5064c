import { describe, expect, it } from 'vitest';
import {
  ATTACHMENT_CONTENT_TYPES,
  contentDisposition,
  contentMismatch,
  decodeMetadataName,
  encodeMetadataName,
  isAttachmentId,
  kindOf,
  storedKey,
  uploadKey,
  validateUploadRequest,
} from '../../../functions/domain/attachment';
import { BadRequestError, TooLargeError } from '../../../functions/domain/errors';
import { validateCaption } from '../../../functions/domain/message';

const MAX = 10 * 1024 * 1024;
const request = (overrides: Partial<{ name: string; contentType: string; size: number }>) => ({
  conversationId: 'conv-1',
  name: 'screen.png',
  contentType: 'image/png',
  size: 1000,
  ...overrides,
});
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('the attachment allowlist', () => {
  it('holds images, PDF and plain text only: no SVG, HTML, Office, archives or executables', () => {
    expect(ATTACHMENT_CONTENT_TYPES.sort()).toEqual(
      ['application/pdf', 'image/gif', 'image/jpeg', 'image/png', 'image/webp', 'text/csv', 'text/plain'].sort(),
    );
    expect(kindOf('image/webp')).toBe('image');
    expect(kindOf('application/pdf')).toBe('file');
  });

  it.each([
    ['screen.png', 'image/png'],
    ['Photo.JPG', 'image/jpeg'],
    ['scan.jpeg', 'image/jpeg'],
    ['report.pdf', 'application/pdf'],
    ['订单.csv', 'text/csv'],
    ['server.log', 'text/plain'],
  ])('accepts %s as %s', (name, contentType) => {
    expect(validateUploadRequest(request({ name, contentType }), MAX)).toEqual({ name, kind: kindOf(contentType) });
  });

  it.each([
    [{ contentType: 'image/svg+xml', name: 'logo.svg' }, /cannot be attached/],
    [{ contentType: 'application/x-msdownload', name: 'setup.exe' }, /cannot be attached/],
    [{ contentType: 'text/html', name: 'page.html' }, /cannot be attached/],
    [{ name: 'cat.exe' }, /must be named \.png/],
    [{ name: 'png' }, /must be named \.png/],
    [{ name: '../etc/passwd.png' }, /plain file name/],
    [{ name: 'a\u0000b.png' }, /plain file name/],
    [{ name: '   ' }, /1-255 characters/],
    [{ name: `${'x'.repeat(252)}.png` }, /1-255 characters/],
    [{ size: 0 }, /at least 1/],
    [{ size: 1.5 }, /at least 1/],
  ])('refuses %j', (overrides, message) => {
    expect(() => validateUploadRequest(request(overrides), MAX)).toThrow(BadRequestError);
    expect(() => validateUploadRequest(request(overrides), MAX)).toThrow(message);
  });

  it('refuses a file over the limit as too large, and takes one at the limit', () => {
    expect(() => validateUploadRequest(request({ size: MAX + 1 }), MAX)).toThrow(TooLargeError);
    expect(() => validateUploadRequest(request({ size: MAX + 1 }), MAX)).toThrow('at most 10 MB');
    expect(validateUploadRequest(request({ size: MAX }), MAX).kind).toBe('image');
  });
});

describe('the key layout', () => {
  it('puts uploads and sent attachments under the conversation, in two prefixes', () => {
    expect(uploadKey('conv-1', '01JABCDEFGHJKMNPQRSTVWXYZ0')).toBe('uploads/conv-1/01JABCDEFGHJKMNPQRSTVWXYZ0');
    expect(storedKey('conv-1', '01JABCDEFGHJKMNPQRSTVWXYZ0')).toBe('conversations/conv-1/01JABCDEFGHJKMNPQRSTVWXYZ0');
  });

  it('takes only ULIDs as attachment ids, so no id can walk out of its prefix', () => {
    expect(isAttachmentId('01JABCDEFGHJKMNPQRSTVWXYZ0')).toBe(true);
    for (const bad of ['../conv-2/01JABCDEFGHJKMNPQRSTVWXYZ0', '01jabcdefghjkmnpqrstvwxyz0', '01JABCDEFGHJKMNPQRSTVWXYZ', '']) {
      expect(isAttachmentId(bad), bad).toBe(false);
    }
  });
});

describe('content checks (magic bytes and text)', () => {
  it('passes a binary type only when its magic bytes name exactly that type', () => {
    expect(contentMismatch('image/png', 'image/png', new Uint8Array(8), false)).toBeUndefined();
    expect(contentMismatch('image/png', 'application/x-msdownload', new Uint8Array(8), false)).toBe(
      'the file is application/x-msdownload, not image/png',
    );
    expect(contentMismatch('image/png', 'image/jpeg', new Uint8Array(8), false)).toBe('the file is image/jpeg, not image/png');
    expect(contentMismatch('application/pdf', undefined, utf8('hello'), false)).toBe("the file's content is not application/pdf");
  });

  it('passes text with no signature that decodes as UTF-8 without control characters', () => {
    expect(contentMismatch('text/csv', undefined, utf8('a,b\r\n1,"x\ty"\n订单,2\f'), false)).toBeUndefined();
    expect(contentMismatch('text/plain', undefined, utf8('\uFEFFwith a BOM'), false)).toBeUndefined();
  });

  it('refuses "text" that is binary, not UTF-8, or has a known signature', () => {
    expect(contentMismatch('text/plain', undefined, new Uint8Array([0x68, 0x00, 0x69]), false)).toBe('the file is binary, not text');
    expect(contentMismatch('text/plain', undefined, utf8('\u001b[31mred'), false)).toBe('the file is binary, not text');
    expect(contentMismatch('text/plain', undefined, new Uint8Array([0xff, 0xfe, 0x41]), false)).toBe('the file is not UTF-8 text');
    expect(contentMismatch('text/csv', 'application/zip', utf8('PK'), false)).toBe('the file is application/zip, not text/csv');
  });

  it('allows a multi-byte character cut by the read only when the read was truncated', () => {
    const cut = utf8('订单').subarray(0, 4); // one whole character and one byte of the next
    expect(contentMismatch('text/plain', undefined, cut, true)).toBeUndefined();
    expect(contentMismatch('text/plain', undefined, cut, false)).toBe('the file is not UTF-8 text');
  });
});

describe('downloads', () => {
  it('serves images inline and everything else as an attachment, with an ASCII and a UTF-8 name', () => {
    expect(contentDisposition('screen shot.png', 'image')).toBe(`inline; filename="screen shot.png"; filename*=UTF-8''screen%20shot.png`);
    expect(contentDisposition('订单 "1".csv', 'file')).toBe(
      `attachment; filename="__ _1_.csv"; filename*=UTF-8''%E8%AE%A2%E5%8D%95%20%221%22.csv`,
    );
  });

  it('round-trips a name through ASCII object metadata', () => {
    for (const name of ['screen.png', '订单 2026.csv', 'naïve 100%.txt']) {
      const encoded = encodeMetadataName(name);
      expect(encoded).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeMetadataName(encoded)).toBe(name);
    }
    expect(decodeMetadataName('%E0%A4%A')).toBeUndefined();
  });
});

describe('a message with an attachment', () => {
  it('may have no text; without one, text is required as before', () => {
    expect(validateCaption(undefined, true)).toBe('');
    expect(validateCaption('  ', true)).toBe('');
    expect(validateCaption('see this', true)).toBe('see this');
    expect(() => validateCaption(undefined, false)).toThrow(BadRequestError);
    expect(() => validateCaption('x'.repeat(8001), true)).toThrow(TooLargeError);
  });
});
