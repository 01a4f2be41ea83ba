import { describe, expect, it } from 'vitest';
import { Outage } from './outage.js';

describe('Outage', () => {
  it('when calls keep failing, then the outage is logged once when it begins and once when it ends, and every failure is counted', () => {
    const lines: string[] = [];
    let counted = 0;
    const outage = new Outage('token denylist: Redis', () => (counted += 1), {
      error: (message: string) => void lines.push(`error ${message}`),
      info: (message: string) => void lines.push(`info ${message}`),
    });
    outage.recovered();
    for (let i = 0; i < 1_000; i += 1) outage.failed({ error: 'ECONNREFUSED' });
    outage.recovered();
    outage.recovered();
    outage.failed({ error: 'ECONNREFUSED' });
    expect(lines).toEqual([
      'error token denylist: Redis failed',
      'info token denylist: Redis is back',
      'error token denylist: Redis failed',
    ]);
    expect(counted).toBe(1_001);
  });
});
