import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Secrets and card numbers must never reach the logs: request bodies are never logged,
 * and these paths are censored wherever they appear.
 */
const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'pan',
  '*.pan',
  'secret',
  '*.secret',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { pid: process.pid } },
    destination ?? process.stdout,
  );
}
