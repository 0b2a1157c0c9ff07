import { describe, expect, it } from 'vitest';
import { insertMention, mentionAt, parseMentions } from '../../model/mentions';

describe('mentions', () => {
  it('parses handles that start a word, whole e-mails included, distinct and lower-cased', () => {
    expect(
      parseMentions('@Ada and @grace.hopper, cc @ada@Example.com. mail me@example.com'),
    ).toEqual(['ada', 'grace.hopper', 'ada@example.com']);
    expect(parseMentions('see @bob.')).toEqual(['bob']);
    expect(parseMentions(Array.from({ length: 50 }, (_, i) => `@u${i}`).join(' '))).toHaveLength(
      20,
    );
  });

  it('finds the mention being typed at the caret', () => {
    expect(mentionAt('Hi @gr', 6)).toEqual({ start: 3, query: 'gr' });
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionAt('mail me@exa', 11)).toBeNull();
    expect(mentionAt('Hi @gr there', 12)).toBeNull();
    expect(mentionAt('Hi @gr there', 6)).toEqual({ start: 3, query: 'gr' });
  });

  it('inserts the handle and a space, replacing the rest of the word under the caret', () => {
    const text = 'Hi @gr please';
    const at = mentionAt(text, 6)!;
    expect(insertMention(text, 6, at, 'grace')).toEqual({ text: 'Hi @grace please', caret: 10 });
    const mid = 'Hi @grxx, ok';
    expect(insertMention(mid, 6, mentionAt(mid, 6)!, 'grace@example.com')).toEqual({
      text: 'Hi @grace@example.com , ok',
      caret: 22,
    });
    const inserted = insertMention('@', 1, mentionAt('@', 1)!, 'ada');
    expect(parseMentions(inserted.text)).toEqual(['ada']);
  });
});
