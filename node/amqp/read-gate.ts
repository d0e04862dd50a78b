import type { Socket } from 'node:net';

/**
 * Why a connection is not reading its socket. Causes overlap (a resource alarm, a channel waiting for the
 * deduplication store, a channel whose deferred work is full) and reading resumes only when all are gone.
 * A cause with a reason is announced: `blocked(reason)` when the first such cause comes, `blocked(null)`
 * when the last one goes (the connection turns these into connection.blocked / unblocked for clients that
 * support them); a cause without one is plain flow control. While paused, what the client sends, its
 * heartbeats included, waits unread in its socket.
 */
export class ReadGate {
  private readonly causes = new Map<object, string | null>();
  private announced: string | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly blocked: (reason: string | null) => void,
    private readonly resumed: () => void,
  ) {}

  get paused(): boolean {
    return this.causes.size > 0;
  }

  /** The reason announced to the client, or null. */
  get reason(): string | null {
    return this.announced;
  }

  holds(cause: object): boolean {
    return this.causes.has(cause);
  }

  /** Stops reading for `cause`, or changes its reason. */
  hold(cause: object, reason: string | null): void {
    if (this.causes.get(cause) === reason) return;
    if (this.causes.size === 0) this.socket.pause();
    this.causes.set(cause, reason);
    this.announce();
  }

  release(cause: object): void {
    if (!this.causes.delete(cause)) return;
    this.announce();
    if (this.causes.size > 0) return;
    this.socket.resume();
    this.resumed();
  }

  private announce(): void {
    let reason: string | null = null;
    for (const r of this.causes.values()) {
      if (r !== null) {
        reason = r;
        break;
      }
    }
    const was = this.announced;
    this.announced = reason;
    if ((was === null) !== (reason === null)) this.blocked(reason);
  }
}
