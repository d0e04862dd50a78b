/**
 * # Who holds the VIP
 *
 * Two (or more) proxies share one virtual IP. At most one, the *active*, serves on it; the others are
 * *standbys* ready to take it. The rules are VRRP's (RFC 5798) and Keepalived's, with two changes made
 * for fencing, and this file is only the decision: it owns no socket, timer or address. The controller
 * (controller.ts) feeds it adverts and clock ticks, asks it what the role should be, and performs the
 * change (lease, listeners, `ip addr`).
 *
 * Adverts. Every proxy sends an advert each interval to its peers over UDP: id, role, priority (after the
 * track penalty), whether it would preempt, and the fencing epoch of its lease. Standbys advertise too
 * (VRRP backups are silent), so the active knows when a better proxy is present and can hand over.
 *
 * Taking over. A standby takes the VIP when no live active has been heard for
 * `deadAfter x interval + skew`, where skew = (256 - priority)/256 x interval, so that of several
 * standbys the highest priority moves first and the others hear its adverts before their own timers fire.
 * An advert with role `resigning`, or a known active that now says `standby`, means the active left on
 * purpose: a standby then waits only its skew. At start a proxy is a standby and waits the full dead time,
 * so it learns of an existing active before competing with it.
 *
 * Preemption without a double active. In VRRP a higher-priority backup preempts by simply becoming master,
 * and two masters hold the address until the lower one hears the higher. Here the *active* yields instead:
 * when it hears a live standby of strictly higher priority that has preempt on, it resigns, and that
 * standby takes over after its skew. The same path carries the track check: an active whose pools have no
 * healthy backend has its priority lowered by the track weight, and it resigns to any live standby that is
 * now higher, whether or not that standby preempts (a sick active should not keep the address because its
 * healthy peer was configured not to preempt). A standby never takes the VIP from an active it can hear.
 *
 * Two actives. After a partition heals, or when a paused process resumes, two actives may hear each
 * other. The one with the lower lease epoch yields (its lease is older, so it is the stale one); without
 * epochs, the lower priority yields, then the lower id. This bounds a double active to one advert interval
 * once the two can hear each other again.
 *
 * Fencing is not decided here. With Redis, the controller may act on `active` only after winning the lease
 * (lease.ts), and it drops the VIP the moment its lease is not known to be valid, whatever this machine
 * says; the epoch in adverts is how a stale active recognises a newer one. Without Redis the behaviour is
 * Keepalived's: a proxy that was paused or cut off resumes as active until it hears the other, so both can
 * serve for up to one advert interval after it resumes (and, in bind mode on one host, the paused one keeps
 * the socket, so nobody serves while it is paused).
 */

export type Role = 'standby' | 'active';
export type AdvertRole = Role | 'resigning';

export interface Advert {
  readonly group: string;
  readonly id: string;
  readonly role: AdvertRole;
  readonly priority: number;
  readonly preempt: boolean;
  /** Fencing epoch of the lease held while active (0 = none). */
  readonly epoch: number;
  /** The sender's advert interval in ms. */
  readonly interval: number;
}

export interface PeerView extends Advert {
  /** Monotonic ms when last heard. */
  lastSeen: number;
}

export interface MachineOptions {
  readonly id: string;
  readonly priority: number;
  readonly preempt: boolean;
  readonly interval: number;
  readonly deadAfter: number;
  readonly trackWeight: number;
}

export class VipStateMachine {
  role: Role = 'standby';
  epoch = 0;
  readonly peers = new Map<string, PeerView>();
  /** Whether the track check is failing (no healthy backend), which lowers the advertised priority. */
  trackFailing = false;
  private quietSince: number;
  private resignedAt = -Infinity;

  constructor(
    private o: MachineOptions,
    now: number,
  ) {
    this.quietSince = now;
  }

  get id(): string {
    return this.o.id;
  }

  get priority(): number {
    return Math.max(1, this.o.priority - (this.trackFailing ? this.o.trackWeight : 0));
  }

  get basePriority(): number {
    return this.o.priority;
  }

  get preempt(): boolean {
    return this.o.preempt;
  }

  /** A reload may change priority, preempt and track weight. */
  configure(o: MachineOptions): void {
    this.o = o;
  }

  /** VRRP's skew: the lower the priority, the longer a standby waits before taking over. */
  get skew(): number {
    return ((256 - this.priority) / 256) * this.o.interval;
  }

  get masterDownInterval(): number {
    return this.o.deadAfter * this.o.interval + this.skew;
  }

  onAdvert(a: Advert, now: number): void {
    if (a.id === this.o.id) return;
    const before = this.peers.get(a.id);
    if (a.role === 'resigning' || (before?.role === 'active' && a.role === 'standby')) {
      this.resignedAt = now;
      this.quietSince = Math.max(this.quietSince, now);
    }
    if (a.role === 'active') this.quietSince = Math.max(this.quietSince, now);
    // A resigning peer is leaving: it is neither an active to defer to nor a standby to yield to.
    this.peers.set(a.id, { ...a, lastSeen: now });
  }

  /** The role this proxy should have now. */
  decide(now: number): Role {
    const live = [...this.peers.values()].filter((p) => now - p.lastSeen <= this.o.deadAfter * p.interval);
    if (this.role === 'active') {
      if (live.some((p) => p.role === 'active' && this.beatenBy(p))) return 'standby';
      const better = live.some((p) => p.role === 'standby' && p.priority > this.priority && (p.preempt || this.trackFailing));
      return better ? 'standby' : 'active';
    }
    const activeHeard = [...this.peers.values()].some((p) => p.role === 'active' && now - p.lastSeen <= this.masterDownInterval);
    if (activeHeard) return 'standby';
    if (now - this.resignedAt <= this.masterDownInterval && now - this.resignedAt >= this.skew) return 'active';
    return now - this.quietSince >= this.masterDownInterval ? 'active' : 'standby';
  }

  /** Whether this active should say `resigning` (it yields to a better standby) rather than just `standby`. */
  yieldingTo(now: number): PeerView | undefined {
    return [...this.peers.values()].find(
      (p) => now - p.lastSeen <= this.o.deadAfter * p.interval && p.role === 'standby' && p.priority > this.priority && (p.preempt || this.trackFailing),
    );
  }

  becameActive(epoch: number): void {
    this.role = 'active';
    this.epoch = epoch;
  }

  /** Back to standby: silence is measured from now, so a proxy that just stepped down does not bounce back. */
  becameStandby(now: number): void {
    this.role = 'standby';
    this.epoch = 0;
    this.quietSince = now;
    this.resignedAt = -Infinity;
  }

  advert(group: string, role: AdvertRole = this.role): Advert {
    return { group, id: this.o.id, role, priority: this.priority, preempt: this.o.preempt, epoch: this.epoch, interval: this.o.interval };
  }

  /** Two actives: does peer p win? Newer lease epoch, then higher priority, then higher id. */
  private beatenBy(p: PeerView): boolean {
    if (p.epoch !== this.epoch && p.epoch > 0 && this.epoch > 0) return p.epoch > this.epoch;
    if (p.priority !== this.priority) return p.priority > this.priority;
    return p.id > this.o.id;
  }
}
