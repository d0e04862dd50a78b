/**
 * One coarse timer for all connections (heartbeats, handshake deadlines), instead of a setTimeout per
 * connection per event: 10,000 idle connections cost one interval, not 20,000 timers.
 */
export interface Tickable {
  tick(now: number): void;
}

export class Ticker {
  private readonly members = new Set<Tickable>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 1000) {}

  add(t: Tickable): void {
    this.members.add(t);
    if (!this.timer) {
      this.timer = setInterval(() => {
        const now = Date.now();
        for (const m of this.members) m.tick(now);
      }, this.intervalMs);
      this.timer.unref();
    }
  }

  delete(t: Tickable): void {
    this.members.delete(t);
    if (this.members.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
