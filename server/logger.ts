import pino, { type Logger } from 'pino';

/** JSON logs; anything that could carry a credential is redacted even if logged by mistake. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'threatroom' },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'ticket',
        '*.ticket',
        'authorization',
        '*.authorization',
        'cookie',
        '*.cookie',
        'headers.authorization',
        'headers.cookie',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}
