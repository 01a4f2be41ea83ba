import { describe, expect, it } from 'vitest';
import { generateApiKey } from './domain/api-key-format.js';
import { REDACTED_KEY, createLogger } from './logger.js';

describe('createLogger', () => {
  it('when a key appears anywhere in a log call, then the written line does not contain it', () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const { key } = generateApiKey();
    logger.info({ url: `/api-keys/${key}`, nested: { deep: [key] }, key }, `message with ${key}`);
    logger.error({ err: new Error(`failed for ${key}`) }, 'boom');
    logger.child({ req: { url: `/x?k=${key}` } }).info('bound');
    const output = lines.join('');
    expect(lines).toHaveLength(3);
    expect(output).not.toContain(key);
    expect(output).toContain(REDACTED_KEY);
  });
});
