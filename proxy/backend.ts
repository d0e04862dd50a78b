import type { AdminState, BackendConfig } from './config.js';
import type { CheckResult } from './health/result.js';

/** Something that can be cut short: shutdown-sessions closes a backend's sessions through this. */
export interface Closable {
  destroy(reason: string): void;
}

/** Traffic counters, named from the client's side as HAProxy does (in = from the client, out = to it). */
export class Counters {
  cur = 0;
  max = 0;
  total = 0;
  bytesIn = 0;
  bytesOut = 0;

  open(): void {
    this.cur++;
    this.total++;
    if (this.cur > this.max) this.max = this.cur;
  }

  close(): void {
    this.cur--;
  }
}

/**
 * One server behind the proxy: its admin state (ready, drain, maint), health (up/down from checks), the
 * weight the balancers see (ramped during slow start) and its counters. Health transitions are driven
 * by the HealthChecker; nothing here does I/O.
 */
export class Backend {
  readonly counters = new Counters();
  readonly sessions = new Set<Closable>();
  admin: AdminState;
  up = true;
  /** When up/down or the admin state last changed (epoch ms). */
  lastChange = Date.now();
  /** ms spent down, closed periods only (add now - lastChange while down). */
  downtime = 0;
  connectErrors = 0;
  checkFailures = 0;
  downTransitions = 0;
  lastCheck: CheckResult | null = null;
  /** "UP 1/3"-style progress of the check counter, set by the checker. */
  checkProgress = '';
  /** Slow start: the time the backend last came up, while ramping. */
  private rampStart = 0;
  /** Set when removed by a reload: it keeps its sessions but takes no new ones. */
  retired = false;

  constructor(
    public config: BackendConfig,
    public slowStartMs: number,
  ) {
    this.admin = config.state;
  }

  get name(): string {
    return this.config.name;
  }

  get address(): string {
    return this.config.host.includes(':') ? `[${this.config.host}]:${this.config.port}` : `${this.config.host}:${this.config.port}`;
  }

  /** May take a new session now. */
  get usable(): boolean {
    return !this.retired && this.up && this.admin === 'ready' && this.config.weight > 0 && (this.config.maxconn === 0 || this.counters.cur < this.config.maxconn);
  }

  /** Healthy and enabled (maxconn aside): what the VIP track check counts. */
  get healthy(): boolean {
    return !this.retired && this.up && this.admin === 'ready';
  }

  /**
   * The weight balancers use. During slow start it grows linearly from 1/20 of the weight to the full
   * weight, as HAProxy's slowstart does, so a backend that just came back is not flooded at once.
   */
  effectiveWeight(now = Date.now()): number {
    const w = this.config.weight;
    if (this.rampStart === 0 || this.slowStartMs === 0) return w;
    const f = (now - this.rampStart) / this.slowStartMs;
    if (f >= 1) {
      this.rampStart = 0;
      return w;
    }
    return w * Math.max(0.05, f);
  }

  get rampingUp(): boolean {
    return this.rampStart !== 0 && this.effectiveWeight() < this.config.weight;
  }

  setHealth(up: boolean, now = Date.now()): void {
    if (up === this.up) return;
    if (!up) this.downTransitions++;
    else {
      this.downtime += now - this.lastChange;
      if (this.slowStartMs > 0) this.rampStart = now;
    }
    this.up = up;
    this.lastChange = now;
  }

  setAdmin(state: AdminState, now = Date.now()): void {
    if (state === this.admin) return;
    // Leaving maintenance ramps up like coming back from down.
    if (this.admin === 'maint' && this.slowStartMs > 0) this.rampStart = now;
    this.admin = state;
    this.lastChange = now;
  }

  /** Closes every session (on-marked-down shutdown-sessions). */
  shutdownSessions(reason: string): number {
    const all = [...this.sessions];
    for (const s of all) s.destroy(reason);
    return all.length;
  }

  /** Total ms down so far, including the current period. */
  downtimeNow(now = Date.now()): number {
    return this.downtime + (this.up ? 0 : now - this.lastChange);
  }
}
