import { describe, expect, it } from 'vitest';
import {
  ApiKeyScopes,
  ConversationTitle,
  CreateApiKeyRequest,
  DisplayText,
  describeIssues,
  hiddenCharacterIssue,
} from './index.js';

/** Every character issue 17 names, and one of each other kind the refusal covers. */
const HIDDEN: readonly [string, string][] = [
  ['\u202A', 'U+202A (a format character)'],
  ['\u202B', 'U+202B (a format character)'],
  ['\u202C', 'U+202C (a format character)'],
  ['\u202D', 'U+202D (a format character)'],
  ['\u202E', 'U+202E (a format character)'],
  ['\u2066', 'U+2066 (a format character)'],
  ['\u2067', 'U+2067 (a format character)'],
  ['\u2068', 'U+2068 (a format character)'],
  ['\u2069', 'U+2069 (a format character)'],
  ['\u200E', 'U+200E (a format character)'],
  ['\u200F', 'U+200F (a format character)'],
  ['\u061C', 'U+061C (a format character)'],
  ['\u200B', 'U+200B (a format character)'],
  ['\u200C', 'U+200C (a format character)'],
  ['\u200D', 'U+200D (a format character)'],
  ['\uFEFF', 'U+FEFF (a format character)'],
  ['\u00AD', 'U+00AD (a format character)'],
  ['\u2028', 'U+2028 (a line separator)'],
  ['\u2029', 'U+2029 (a paragraph separator)'],
  ['\u{E0000}', 'U+E0000 (a tag character)'],
  ['\u{E0001}', 'U+E0001 (a tag character)'],
  ['\u{E0041}', 'U+E0041 (a tag character)'],
  ['\u{E007F}', 'U+E007F (a tag character)'],
  ['\u0000', 'U+0000 (a control character)'],
  ['\u0007', 'U+0007 (a control character)'],
  ['\n', 'U+000A (a control character)'],
  ['\u007F', 'U+007F (a control character)'],
  ['\u0085', 'U+0085 (a control character)'],
];

describe('hiddenCharacterIssue', () => {
  it.each(HIDDEN)('when a string holds %j, then it names %s', (char, named) => {
    expect(hiddenCharacterIssue(`pay${char}roll`)).toBe(`${named} is not allowed`);
  });

  it('when a string holds several, then the first is named', () => {
    expect(hiddenCharacterIssue('a\u200Bb\u202Ec')).toBe(
      'U+200B (a format character) is not allowed',
    );
  });

  it('when a string is ordinary text in any script, with spaces and emoji, then it passes', () => {
    for (const text of [
      'laptop',
      'CI – nightly',
      'ключ для ноутбука',
      'مفتاح',
      '鍵 🔑',
      'a\u00A0b',
    ]) {
      expect(hiddenCharacterIssue(text)).toBeUndefined();
    }
  });
});

describe('display strings refuse hidden characters, naming the field', () => {
  it('when a key name holds U+202E, then the refusal names name and the code point', () => {
    const result = CreateApiKeyRequest.safeParse({ name: 'invoice\u202Efdp.exe', scopes: ['*'] });
    expect(describeIssues(result.error!)).toBe('name: U+202E (a format character) is not allowed');
  });

  it('when a scope holds a hidden character, then the refusal names that scope', () => {
    const result = ApiKeyScopes.safeParse(['local/echo', 'local/echo\u200B']);
    expect(describeIssues(result.error!)).toBe('1: U+200B (a format character) is not allowed');
  });

  it('when a conversation title holds a tag character, then it is refused', () => {
    const result = ConversationTitle.safeParse('plans\u{E0041}');
    expect(describeIssues(result.error!)).toBe('(root): U+E0041 (a tag character) is not allowed');
  });

  it('when a display string is clean, then it is kept, trimmed', () => {
    expect(DisplayText().max(10).parse('  laptop ')).toBe('laptop');
    expect(CreateApiKeyRequest.parse({ name: 'laptop', scopes: ['*'] }).name).toBe('laptop');
  });
});
