import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stdout (pino); one logger per process, children per component. */
export function createLogger(level: string, name: string): Logger {
  return pino({ level, name, base: { pid: process.pid } });
}
