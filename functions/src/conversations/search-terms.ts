// The words of History search, pure: how text becomes an index entry's terms, how a query
// becomes words, whether an entry's terms hold every word, and a snippet with the words
// marked. Indexing and querying share one normalisation, so they cannot disagree.

/** Prefixes from this length up are terms, so a word is found as it is being typed. */
export const PREFIX_MIN = 2;
/** Prefixes up to this length are terms; a longer query word is looked up by this prefix. */
export const PREFIX_MAX = 12;
/** A word is kept to this length (code units) in the index, and so in a query. */
export const WORD_MAX = 32;
/**
 * Terms one entry holds at most. Each term is one entry of the composite index (the single-field
 * index of `terms` is off: firestore.indexes.json); Firestore allows 40,000 a document, so this
 * stays far below, and a scan of entries stays small to read.
 */
export const TERMS_MAX = 2000;
/** Words of a query that count; more are ignored. */
export const QUERY_WORDS_MAX = 8;

/** Scripts written without spaces between words: indexed as single characters and pairs. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Compatibility decomposition, diacritics stripped, lowercased: `Crème`, `CREME` and `ｃｒｅｍｅ`
 * are all `creme`. Final sigma is folded into sigma, since lowercasing a word alone and in a
 * sentence would otherwise differ.
 */
export function normalize(text: string): string {
  return text
    .normalize('NFKD')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/ς/g, 'σ');
}

/** A run of letters and digits, or of characters of a script written without spaces. */
interface Segment {
  text: string;
  /** Written without spaces (Han, kana): matched by characters and pairs, never by prefix. */
  unspaced: boolean;
}

/** The segments of normalised text, in order; a word is kept to WORD_MAX. */
function segments(normalized: string): Segment[] {
  const out: Segment[] = [];
  for (const run of normalized.match(/[\p{L}\p{N}]+/gu) ?? []) {
    let current: Segment | undefined;
    for (const char of run) {
      const unspaced = UNSPACED.test(char);
      if (current?.unspaced !== unspaced) {
        if (current) out.push(current);
        current = { text: '', unspaced };
      }
      current.text += char;
    }
    if (current) out.push(current);
  }
  return out.map((s) => (s.unspaced ? s : { ...s, text: s.text.slice(0, WORD_MAX) }));
}

/** Neighbouring pairs of an unspaced run (`東京都`: 東京, 京都); the character alone if one. */
function pairsOf(run: string): string[] {
  const chars = Array.from(run);
  if (chars.length === 1) return chars;
  return chars.slice(1).map((char, n) => chars[n]! + char);
}

/**
 * An entry's terms: each word and its prefixes (PREFIX_MIN to PREFIX_MAX long), in the order
 * words first appear, deduplicated, at most TERMS_MAX. An unspaced run gives its characters
 * and each pair of neighbours (`東京都`: 東, 京, 都, 東京, 京都), which finds a word of one or
 * two characters and, by its pairs, a longer one. A one-character word in other scripts is
 * no term: it would be in nearly every entry and find nothing useful.
 */
export function termsOf(text: string): string[] {
  const terms = new Set<string>();
  for (const { text: word, unspaced } of segments(normalize(text))) {
    if (terms.size >= TERMS_MAX) break;
    if (unspaced) {
      for (const char of word) terms.add(char);
      for (const pair of pairsOf(word)) terms.add(pair);
      continue;
    }
    if (word.length < PREFIX_MIN) continue;
    const longest = Math.min(word.length - 1, PREFIX_MAX);
    for (let n = PREFIX_MIN; n <= longest; n += 1) terms.add(word.slice(0, n));
    terms.add(word);
  }
  return [...terms].slice(0, TERMS_MAX);
}

export interface QueryWord {
  /** The normalised word (or unspaced character pair) the entry must hold or start a word with. */
  text: string;
  unspaced: boolean;
}

/**
 * The words of a query, deduplicated; a word that another word starts with adds nothing and is
 * dropped (`col colony` is `colony`). One-character words outside the unspaced scripts are
 * dropped, as the index holds none; an unspaced run is looked for by its pairs.
 */
export function queryWords(query: string): QueryWord[] {
  const found: QueryWord[] = [];
  for (const segment of segments(normalize(query))) {
    if (segment.unspaced) {
      for (const pair of pairsOf(segment.text)) found.push({ text: pair, unspaced: true });
    } else if (segment.text.length >= PREFIX_MIN) {
      found.push(segment);
    }
  }
  const unique = found.filter(
    (word, n) => found.findIndex((other) => other.text === word.text) === n,
  );
  const kept = unique.filter(
    (word) =>
      word.unspaced ||
      !unique.some(
        (other) => !other.unspaced && other.text !== word.text && other.text.startsWith(word.text),
      ),
  );
  return kept.slice(0, QUERY_WORDS_MAX);
}

/** The term an index lookup asks for: the word itself, or its longest indexed prefix. */
export function lookupTerm(word: QueryWord): string {
  return word.unspaced ? word.text : word.text.slice(0, PREFIX_MAX);
}

/**
 * The word to look up: the one likely to be in the fewest entries. Longer words and prefixes
 * are rarer; an unspaced pair is rarer than its length says, so it counts as four.
 */
export function mostSelective(words: readonly QueryWord[]): QueryWord | undefined {
  const weight = (word: QueryWord) => (word.unspaced ? word.text.length * 2 : word.text.length);
  return words.reduce<QueryWord | undefined>(
    (best, word) => (best === undefined || weight(word) >= weight(best) ? word : best),
    undefined,
  );
}

/** Whether an entry's terms hold every word: as a term, or as the start of one of its words. */
export function matchesAll(terms: readonly string[], words: readonly QueryWord[]): boolean {
  const set = new Set(terms);
  return words.every((word) => {
    if (set.has(word.text)) return true;
    if (word.unspaced || word.text.length <= PREFIX_MAX) return false;
    return terms.some((term) => term.startsWith(word.text));
  });
}

/** Where the query's words are in a text: `[start, end)` in UTF-16 units. */
export interface Highlight {
  start: number;
  end: number;
}

export interface HighlightedText {
  text: string;
  highlights: Highlight[];
}

/** Characters a snippet holds at most, besides its ellipses. */
export const SNIPPET_LENGTH = 160;
/** Characters of context a snippet keeps before its first match. */
const SNIPPET_BEFORE = 40;

/**
 * Marks the query's words in `text`: each word at the start of a word of the text (an unspaced
 * pair anywhere), found in the normalised text and mapped back to the original characters.
 */
export function highlightsIn(text: string, words: readonly QueryWord[]): Highlight[] {
  // The normalised text, and for each of its units the original code point it came from.
  let normalized = '';
  const origin: Highlight[] = [];
  let at = 0;
  for (const char of text) {
    const folded = normalize(char);
    normalized += folded;
    for (let n = 0; n < folded.length; n += 1) origin.push({ start: at, end: at + char.length });
    at += char.length;
  }
  const found: Highlight[] = [];
  for (const word of words) {
    for (let i = normalized.indexOf(word.text); i >= 0; i = normalized.indexOf(word.text, i + 1)) {
      const before = normalized[i - 1];
      const startsWord =
        word.unspaced ||
        before === undefined ||
        !WORD_CHAR.test(before) ||
        UNSPACED.test(before) ||
        UNSPACED.test(normalized[i]!);
      if (!startsWord) continue;
      found.push({ start: origin[i]!.start, end: origin[i + word.text.length - 1]!.end });
    }
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Highlight[] = [];
  for (const range of found) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/** The whole text with its matches marked (a title). */
export function highlighted(text: string, words: readonly QueryWord[]): HighlightedText {
  return { text, highlights: highlightsIn(text, words) };
}

/**
 * A short piece of a message around its first match, whitespace collapsed, cut at spaces where
 * it can be, with ellipses where text was left out, and the matches in it marked.
 */
export function snippetOf(content: string, words: readonly QueryWord[]): HighlightedText {
  const text = content.replace(/\s+/g, ' ').trim();
  const all = highlightsIn(text, words);
  if (text.length <= SNIPPET_LENGTH) return { text, highlights: all };
  const first = all[0]?.start ?? 0;
  let start = Math.max(0, first - SNIPPET_BEFORE);
  if (start > 0) {
    const space = text.indexOf(' ', start);
    start = space >= 0 && space < first ? space + 1 : start;
  }
  let end = Math.min(text.length, start + SNIPPET_LENGTH);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > first && space > start) end = space;
  }
  // Never split a surrogate pair at either end.
  if (/[\uDC00-\uDFFF]/.test(text[start] ?? '')) start += 1;
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end -= 1;
  const lead = start > 0 ? '…' : '';
  const tail = end < text.length ? '…' : '';
  const highlights = all
    .filter((h) => h.start >= start && h.end <= end)
    .map((h) => ({ start: h.start - start + lead.length, end: h.end - start + lead.length }));
  return { text: `${lead}${text.slice(start, end)}${tail}`, highlights };
}
