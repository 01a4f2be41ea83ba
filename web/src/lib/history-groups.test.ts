import { describe, expect, it } from 'vitest';
import type { Conversation } from '@colonycraft/protocol';
import { dateGroupOf, groupByDate, plainTitle } from './history-groups.ts';

// Local times, so the test holds in any time zone.
const NOW = new Date(2026, 11, 7, 9, 30).getTime();
const at = (month: number, day: number, hour = 12, year = 2026) =>
  new Date(year, month, day, hour).getTime();

const conversation = (id: string, updatedAt: number): Conversation =>
  ({
    id,
    title: id,
    createdAt: updatedAt,
    updatedAt,
    messageCount: 2,
  }) as Conversation;

describe('dateGroupOf', () => {
  it('when a conversation was active today, yesterday, this week or this month, then it says so', () => {
    expect(dateGroupOf(at(11, 7, 0), NOW)).toBe('Today');
    expect(dateGroupOf(at(11, 6, 23), NOW)).toBe('Yesterday');
    expect(dateGroupOf(at(11, 5, 1), NOW)).toBe('Previous 7 days');
    expect(dateGroupOf(at(10, 30), NOW)).toBe('Previous 7 days');
    expect(dateGroupOf(at(10, 29), NOW)).toBe('Previous 30 days');
    expect(dateGroupOf(at(10, 7), NOW)).toBe('Previous 30 days');
  });

  it('when it is older, then it goes under its month, with the year when not this one', () => {
    expect(dateGroupOf(at(10, 6), NOW, 'en-US')).toBe('November');
    expect(dateGroupOf(at(0, 3), NOW, 'en-US')).toBe('January');
    expect(dateGroupOf(at(11, 24, 12, 2025), NOW, 'en-US')).toBe('December 2025');
  });

  it('when the clock is behind (a conversation from a moment ahead), then it is Today', () => {
    expect(dateGroupOf(NOW + 60_000, NOW)).toBe('Today');
  });
});

describe('groupByDate', () => {
  it('keeps the order and makes one heading per run of the same label', () => {
    const list = [
      conversation('a', at(11, 7, 8)),
      conversation('b', at(11, 7, 1)),
      conversation('c', at(11, 6)),
      conversation('d', at(11, 2)),
      conversation('e', at(9, 12)),
      conversation('f', at(9, 1)),
    ];
    expect(
      groupByDate(list, NOW, 'en-US').map((g) => [g.label, g.conversations.map((c) => c.id)]),
    ).toEqual([
      ['Today', ['a', 'b']],
      ['Yesterday', ['c']],
      ['Previous 7 days', ['d']],
      ['October', ['e', 'f']],
    ]);
    expect(groupByDate([], NOW)).toEqual([]);
  });
});

describe('plainTitle', () => {
  it('takes Markdown marks out of a title', () => {
    expect(plainTitle('**Bold** plan for __the__ *colony*')).toBe('Bold plan for the colony');
    expect(plainTitle('## Heading: `npm start` fails')).toBe('Heading: npm start fails');
    expect(plainTitle('See [the docs](https://example.com/docs) and ![map](x.png)')).toBe(
      'See the docs and map',
    );
    expect(plainTitle('~~old~~ new _idea_')).toBe('old new idea');
    expect(plainTitle('> quoted\n- item')).toBe('quoted item');
  });

  it('leaves what is not a mark alone', () => {
    expect(plainTitle('snake_case_name and 2 * 3 * 4')).toBe('snake_case_name and 2 * 3 * 4');
    expect(plainTitle('Plain title')).toBe('Plain title');
    expect(plainTitle('**')).toBe('**');
  });
});
