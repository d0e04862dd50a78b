import type { Logger } from 'pino';

/** While Redis stays unavailable, one warning per this many ms. */
const WARN_EVERY_MS = 10_000;

/**
 * Whether the deduplication store's Redis answers, as its commands find out. Listeners (the AMQP server,
 * which blocks connections waiting on it) hear each change; so does the log, where the errors that repeat
 * during an outage (each reconnect attempt, each retried check) take one warning per WARN_EVERY_MS.
 */
export class Availability {
  private down: string | null = null;
  private readonly listeners = new Set<(unavailable: string | null) => void>();
  private lastWarn = 0;
  private unwarned = 0;

  constructor(
    private readonly log: Logger,
    private readonly mode: 'wait' | 'reject',
    /** How many checks wait for Redis, for the log. */
    private readonly waiting: () => number,
  ) {}

  /** Why Redis is unavailable, or null. */
  get unavailable(): string | null {
    return this.down;
  }

  /** Calls `fn` when Redis becomes unavailable (with why) or available again (null); returns the unsubscribe. */
  onChange(fn: (unavailable: string | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A command found Redis unavailable. */
  failed(e: Error): void {
    if (this.down !== null) return this.warn(e);
    this.down = e.message;
    this.lastWarn = Date.now();
    const then = this.mode === 'wait' ? 'wait until it is back' : 'are rejected until it is back';
    this.log.warn({ err: e.message }, `deduplication store unavailable: publishes to deduplication exchanges ${then}`);
    for (const l of this.listeners) l(this.down);
  }

  /** Redis answered (or the client reconnected). */
  answered(): void {
    if (this.down === null) return;
    this.down = null;
    this.log.info('deduplication store available again');
    for (const l of this.listeners) l(null);
  }

  /** An error that repeats during an outage. */
  warn(err: Error): void {
    const now = Date.now();
    if (now - this.lastWarn < WARN_EVERY_MS) {
      this.unwarned++;
      return;
    }
    this.log.warn({ err: err.message, errorsSinceLastWarning: this.unwarned, waiting: this.waiting() }, 'deduplication store: Redis unavailable');
    this.lastWarn = now;
    this.unwarned = 0;
  }
}
