// The service's logger. Two layers keep secrets out of logs: pino's path redaction for the
// fields known to carry them (Authorization, cookies, key fields), and a last pass over every
// finished line that blanks anything shaped like an API key, wherever it hides (a URL, a query,
// an error message), because a key in a log file is a leaked key.
import { pino, type DestinationStream, type Logger } from 'pino';
import { API_KEY_IN_TEXT } from './domain/api-key-format.js';

export const REDACTED_KEY = '[redacted-api-key]';

/** A destination that scrubs API keys from each line before passing it on. */
export function scrubbing(destination: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      destination.write(line.replace(API_KEY_IN_TEXT, REDACTED_KEY));
    },
  };
}

export function createLogger(
  level: string,
  destination: DestinationStream = pino.destination(1),
): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.key',
          '*.apiKey',
          '*.keyHash',
        ],
        censor: '[redacted]',
      },
    },
    scrubbing(destination),
  );
}
