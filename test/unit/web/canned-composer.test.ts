import { describe, expect, it } from 'vitest';
import {
  fillPlaceholders,
  insertAt,
  moveActive,
  placeholderValues,
  replaceSlashWord,
  slashQuery,
} from '../../../clients/console/canned-composer';

describe('the composer’s / list', () => {
  it('is open while the message starts with / and the caret is in that word', () => {
    expect(slashQuery('/', 1)).toBe('');
    expect(slashQuery('/ref', 4)).toBe('ref');
    expect(slashQuery('/ref', 2)).toBe('r');
    expect(slashQuery('/refund more', 7)).toBe('refund');
    expect(slashQuery('/refund more', 12)).toBeUndefined();
    expect(slashQuery('hi /ref', 7)).toBeUndefined();
    expect(slashQuery('', 0)).toBeUndefined();
  });

  it('the arrow keys wrap round; Home and End jump; nothing to move with no options', () => {
    expect(moveActive(-1, 'ArrowDown', 3)).toBe(0);
    expect(moveActive(2, 'ArrowDown', 3)).toBe(0);
    expect(moveActive(0, 'ArrowUp', 3)).toBe(2);
    expect(moveActive(-1, 'ArrowUp', 3)).toBe(2);
    expect(moveActive(1, 'Home', 3)).toBe(0);
    expect(moveActive(1, 'End', 3)).toBe(2);
    expect(moveActive(0, 'ArrowDown', 0)).toBe(-1);
    expect(moveActive(1, 'x', 3)).toBe(1);
  });
});

describe('inserting a canned response', () => {
  const values = placeholderValues({ name: 'Ann' }, 'Billie');
  const greeting = fillPlaceholders('Hello {customer.name}, I am {agent.name}.', values);

  it('replaces the /shortcut word and puts the caret after the text', () => {
    expect(replaceSlashWord('/hel', greeting)).toEqual({ value: 'Hello Ann, I am Billie.', selection: { start: 23, end: 23 } });
    // What followed the word stays.
    expect(replaceSlashWord('/hel tail', greeting).value).toBe('Hello Ann, I am Billie.tail');
  });

  it('selects the first placeholder it could not fill, to be typed over', () => {
    const filled = fillPlaceholders('Mail {customer.email} please', values);
    const inserted = replaceSlashWord('/mail', filled);
    expect(inserted.value).toBe('Mail {customer.email} please');
    expect(inserted.value.slice(inserted.selection.start, inserted.selection.end)).toBe('{customer.email}');
  });

  it('from the browse list: at the caret, with a space after a word', () => {
    expect(insertAt('Sure.', 5, 5, greeting)).toEqual({ value: 'Sure. Hello Ann, I am Billie.', selection: { start: 29, end: 29 } });
    expect(insertAt('Sure. ', 6, 6, greeting).value).toBe('Sure. Hello Ann, I am Billie.');
    expect(insertAt('replace me', 0, 10, greeting).value).toBe('Hello Ann, I am Billie.');
  });

  it('an unknown customer leaves {customer.name} for the agent', () => {
    const filled = fillPlaceholders('Hi {customer.name}', placeholderValues(undefined, 'Billie'));
    expect(filled).toEqual({ text: 'Hi {customer.name}', unfilled: [{ start: 3, end: 18 }] });
  });
});
