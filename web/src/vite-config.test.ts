// `vite dev` and `vite preview` serve an app wired to a local stack that trusts unsigned tokens:
// they must listen on this machine only, never on every interface.
import { describe, expect, it } from 'vitest';
import config from '../vite.config.js';

describe('vite.config.ts', () => {
  it('when the dev or preview server starts, then it listens on 127.0.0.1 only', () => {
    expect(config).toMatchObject({
      server: { host: '127.0.0.1' },
      preview: { host: '127.0.0.1' },
    });
  });
});
