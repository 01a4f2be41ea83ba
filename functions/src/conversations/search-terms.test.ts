import { describe, expect, it } from 'vitest';
import {
  TERMS_MAX,
  WORD_MAX,
  highlightsIn,
  lookupTerm,
  matchesAll,
  mostSelective,
  normalize,
  queryWords,
  snippetOf,
  termsOf,
} from './search-terms.js';

const words = (query: string) => queryWords(query).map((word) => word.text);

describe('normalize', () => {
  it('when text has capitals, diacritics and compatibility forms, then all fold to plain lower case', () => {
    expect(normalize('Crème BRÛLÉE')).toBe('creme brulee');
    expect(normalize('ＣＯＬＯＮＹ ﬁle')).toBe('colony file');
    expect(normalize('Ångström ÇA')).toBe('angstrom ca');
    // Final sigma folds into sigma, so a word alone and in a sentence agree.
    expect(normalize('ΟΔΟΣ')).toBe(normalize('οδος'));
  });
});

describe('termsOf', () => {
  it('when a message is indexed, then each word and its prefixes from two characters are terms, once', () => {
    expect(termsOf('The colony, the COLONY!')).toEqual([
      'th',
      'the',
      'co',
      'col',
      'colo',
      'colon',
      'colony',
    ]);
  });

  it('when a word is one character, then it is no term', () => {
    expect(termsOf('a b c')).toEqual([]);
  });

  it('when a word is long, then prefixes stop at twelve and the word is kept to its maximum', () => {
    const word = 'x'.repeat(40);
    const terms = termsOf(word);
    expect(terms.at(-1)).toBe('x'.repeat(WORD_MAX));
    expect(terms.filter((t) => t.length < WORD_MAX).map((t) => t.length)).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
  });

  it('when text is Han or kana, then its characters and neighbouring pairs are terms', () => {
    expect(termsOf('東京都')).toEqual(['東', '京', '都', '東京', '京都']);
    expect(termsOf('ラーメンdays')).toContain('days');
  });

  it('when a message has very many words, then its terms stop at the maximum', () => {
    const text = Array.from({ length: 5000 }, (_, n) => `w${n.toString(36)}zz`).join(' ');
    expect(termsOf(text).length).toBe(TERMS_MAX);
  });
});

describe('queryWords', () => {
  it('when a query repeats words or has a word another starts with, then only the longer is kept', () => {
    expect(words('Col colony COLONY')).toEqual(['colony']);
    expect(words('rust borrow checker')).toEqual(['rust', 'borrow', 'checker']);
  });

  it('when a query has only one-character words or punctuation, then it has no words', () => {
    expect(words('a ? !')).toEqual([]);
  });

  it('when a query is Han, then it is looked for by pairs, or the character alone', () => {
    expect(words('東京都')).toEqual(['東京', '京都']);
    expect(words('都')).toEqual(['都']);
  });

  it('when a query word is longer than the indexed prefixes, then its lookup is the longest prefix', () => {
    const [word] = queryWords('Internationalization');
    expect(lookupTerm(word!)).toBe('internationa');
    expect(matchesAll(termsOf('internationalization matters'), [word!])).toBe(true);
    expect(matchesAll(termsOf('internationally'), [word!])).toBe(false);
  });

  it('when choosing the word to look up, then the longest is chosen', () => {
    expect(mostSelective(queryWords('go colony ant'))?.text).toBe('colony');
  });
});

describe('matchesAll', () => {
  it('when every word starts a word of the text, then it matches; when one is missing, then not', () => {
    const terms = termsOf('Café society in the colony');
    expect(matchesAll(terms, queryWords('cafe col'))).toBe(true);
    expect(matchesAll(terms, queryWords('CAFÉ SOC'))).toBe(true);
    expect(matchesAll(terms, queryWords('cafe zebra'))).toBe(false);
    // Prefixes match at the start of a word only.
    expect(matchesAll(terms, queryWords('olony'))).toBe(false);
  });
});

describe('highlights and snippets', () => {
  it('when the text has diacritics, then the marks cover the original characters', () => {
    const text = 'A crème brûlée';
    const marks = highlightsIn(text, queryWords('creme brul'));
    expect(marks.map((m) => text.slice(m.start, m.end))).toEqual(['crème', 'brûl']);
  });

  it('when a word appears inside another word, then it is not marked there', () => {
    expect(highlightsIn('decolonize the colony', queryWords('colon'))).toEqual([
      { start: 15, end: 20 },
    ]);
  });

  it('when a message is long, then the snippet is around the first match with ellipses and marks', () => {
    const content = `${'lorem ipsum '.repeat(30)}\n\nThe **colony** grows.\n${'dolor sit '.repeat(30)}`;
    const snippet = snippetOf(content, queryWords('colony'));
    expect(snippet.text.startsWith('…')).toBe(true);
    expect(snippet.text.endsWith('…')).toBe(true);
    expect(snippet.text.length).toBeLessThanOrEqual(162);
    expect(snippet.text).not.toContain('\n');
    expect(snippet.highlights).toHaveLength(1);
    const [mark] = snippet.highlights;
    expect(snippet.text.slice(mark!.start, mark!.end)).toBe('colony');
  });

  it('when a message is short, then the snippet is all of it', () => {
    expect(snippetOf('  Ask the   colony ', queryWords('colony'))).toEqual({
      text: 'Ask the colony',
      highlights: [{ start: 8, end: 14 }],
    });
  });
});
