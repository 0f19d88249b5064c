import { describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS, validateText } from '../../../functions/domain/message';

describe('message text', () => {
  it('keeps the text exactly as sent', () => {
    expect(validateText('  hello  ')).toBe('  hello  ');
  });

  it('refuses empty and whitespace-only text as bad_request', () => {
    expect(() => validateText('')).toThrowError(expect.objectContaining({ code: 'bad_request' }));
    expect(() => validateText(' \n\t ')).toThrowError(expect.objectContaining({ code: 'bad_request' }));
  });

  it('counts characters after trimming, code points not UTF-16 units', () => {
    expect(validateText(`  ${'a'.repeat(MAX_TEXT_CHARS)}  `)).toHaveLength(MAX_TEXT_CHARS + 4);
    expect(validateText('😀'.repeat(MAX_TEXT_CHARS))).toHaveLength(MAX_TEXT_CHARS * 2);
    expect(() => validateText('a'.repeat(MAX_TEXT_CHARS + 1))).toThrowError(expect.objectContaining({ code: 'too_large' }));
  });
});
