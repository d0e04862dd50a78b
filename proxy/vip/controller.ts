import { performance } from 'node:perf_hooks';
import type { Logger } from '../../shared/log.js';
import type { VipConfig } from '../config.js';
import { AdvertTransport } from './advert.js';
import type { VipHolder } from './holder.js';
import type { Lease } from './lease.js';
import { VipStateMachine, type AdvertRole, type MachineOptions } from './state-machine.js';

export interface VipStatus {
  readonly mode: VipConfig['mode'];
  readonly address: string;
  readonly id: string;
  readonly role: 'active' | 'standby' | 'stopping';
  /** Holding the address: listeners open (and the address on the interface in linux mode). */
  readonly held: boolean;
  readonly priority: number;
  readonly basePriority: number;
  readonly trackFailing: boolean;
  readonly epoch: number;
  readonly lease: 'none' | 'valid' | 'not held';
  readonly transitions: number;
  readonly fenced: number;
  readonly lastChange: number;
  readonly peers: readonly { id: string; role: string; priority: number; epoch: number; lastSeenMsAgo: number }[];
}

const machineOptions = (c: VipConfig): MachineOptions => ({
  id: c.id,
  priority: c.priority,
  preempt: c.preempt,
  interval: c.advertInterval,
  deadAfter: c.deadAfter,
  trackWeight: c.trackWeight,
});

/**
 * Runs the VIP state machine against the world: sends adverts, ticks the clock, takes and renews the
 * lease, and opens or closes the VIP through the holder. Transitions run one at a time (`busy`); the fence
 * (`fence()`) is the exception and is synchronous, because it must win against anything in flight.
 */
export class VipController {
  private readonly machine: VipStateMachine;
  private readonly transport: AdvertTransport;
  private timer: NodeJS.Timeout | null = null;
  private held = false;
  private busy = false;
  private stopping = false;
  private lastAdvert = -Infinity;
  private lastRenew = -Infinity;
  private holdFailures = 0;
  private transitions = 0;
  private fenced = 0;
  private lastChange = Date.now();

  constructor(
    private cfg: VipConfig,
    private readonly holder: VipHolder,
    private readonly lease: Lease | null,
    private readonly log: Logger,
    private readonly trackOk: () => boolean,
  ) {
    this.machine = new VipStateMachine(machineOptions(cfg), performance.now());
    this.transport = new AdvertTransport(cfg.bind, cfg.peers, cfg.authKey, cfg.group, (a) => this.machine.onAdvert(a, performance.now()));
  }

  async start(): Promise<void> {
    await this.holder.init();
    await this.transport.open();
    this.timer = setInterval(() => this.tick(), Math.max(10, Math.floor(this.cfg.advertInterval / 5)));
    this.log.info({ id: this.cfg.id, mode: this.cfg.mode, vip: this.cfg.address, priority: this.cfg.priority, lease: this.lease !== null }, 'VIP standby; listening for adverts');
    this.tick();
  }

  /** A reload: priority, preempt and track weight apply at once; other vip-* changes need a restart. */
  configure(cfg: VipConfig): void {
    this.cfg = { ...this.cfg, priority: cfg.priority, preempt: cfg.preempt, trackWeight: cfg.trackWeight };
    this.machine.configure(machineOptions(this.cfg));
  }

  /** Ready to serve: active and holding the address (what /healthz reports). */
  get ready(): boolean {
    return !this.stopping && this.machine.role === 'active' && this.held && this.leaseValid(performance.now());
  }

  /**
   * The gate every new connection passes. False unless active and holding; with a lease, also false once
   * the lease's local deadline has passed, and then the VIP is dropped before this returns.
   */
  mayServe(): boolean {
    if (this.stopping || this.machine.role !== 'active' || !this.held) return false;
    if (!this.leaseValid(performance.now())) {
      this.fence('lease deadline passed before a renewal (paused or cut off from redis)');
      return false;
    }
    return true;
  }

  status(): VipStatus {
    const now = performance.now();
    return {
      mode: this.cfg.mode,
      address: this.cfg.address,
      id: this.cfg.id,
      role: this.stopping ? 'stopping' : this.machine.role,
      held: this.held,
      priority: this.machine.priority,
      basePriority: this.machine.basePriority,
      trackFailing: this.machine.trackFailing,
      epoch: this.machine.epoch,
      lease: this.lease === null ? 'none' : this.lease.validAt(now) ? 'valid' : 'not held',
      transitions: this.transitions,
      fenced: this.fenced,
      lastChange: this.lastChange,
      peers: [...this.machine.peers.values()].map((p) => ({ id: p.id, role: p.role, priority: p.priority, epoch: p.epoch, lastSeenMsAgo: Math.round(now - p.lastSeen) })),
    };
  }

  /** Graceful stop: close the listeners, give the lease back, tell the peers, so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.machine.role === 'active') {
      this.held = false;
      this.machine.becameStandby(performance.now());
      await this.holder.release({ closeSessions: false });
      await this.lease?.release();
      this.advert('resigning');
      this.log.warn('VIP released for shutdown; peers told');
      await new Promise((r) => setTimeout(r, 20));
      this.advert('resigning'); // UDP: once more, in case the first was lost
    } else this.advert('standby');
    this.transport.close();
    await this.lease?.close();
  }

  private leaseValid(now: number): boolean {
    return this.lease === null || this.lease.validAt(now);
  }

  private tick(): void {
    if (this.stopping) return;
    const now = performance.now();
    this.machine.trackFailing = !this.trackOk();
    if (this.machine.role === 'active' && !this.leaseValid(now)) this.fence('lease not renewed in time');
    if (!this.busy) {
      this.busy = true;
      void this.step(now)
        .catch((e: Error) => this.log.error({ err: e.message }, 'VIP transition failed'))
        .finally(() => (this.busy = false));
    }
    if (now - this.lastAdvert >= this.cfg.advertInterval) this.advert();
  }

  private async step(now: number): Promise<void> {
    const want = this.machine.decide(now);
    if (want === 'active' && this.machine.role === 'standby') return this.takeOver();
    if (want === 'standby' && this.machine.role === 'active') {
      const to = this.machine.yieldingTo(now);
      return this.stepDown(to ? `yielding to ${to.id} (priority ${to.priority} > ${this.machine.priority})` : 'another active wins', to ? 'resigning' : 'standby');
    }
    if (this.machine.role !== 'active') return;
    if (!this.held) await this.hold();
    if (this.lease && now - this.lastRenew >= this.cfg.advertInterval) await this.renew(now);
  }

  private async takeOver(): Promise<void> {
    let epoch = 0;
    if (this.lease) {
      epoch = await this.lease.acquire();
      if (epoch === 0) return; // held by another (or redis unreachable): stay standby, try again next tick
      if (!this.lease.validAt(performance.now()) || this.stopping) {
        await this.lease.release();
        return;
      }
      this.lastRenew = performance.now();
    }
    this.machine.becameActive(epoch);
    this.changed();
    this.log.warn({ epoch, priority: this.machine.priority }, 'VIP: becoming active');
    this.advert();
    await this.hold();
  }

  private async hold(): Promise<void> {
    try {
      await this.holder.acquire();
    } catch (e) {
      if (this.holdFailures++ % 20 === 0) this.log.warn({ err: (e as Error).message }, 'VIP: active but cannot take the address yet; retrying');
      return;
    }
    if (this.machine.role !== 'active' || this.stopping || !this.leaseValid(performance.now())) {
      // Fenced or stopped while binding: undo.
      await this.holder.release({ closeSessions: true });
      return;
    }
    this.held = true;
    this.holdFailures = 0;
    this.log.warn({ vip: this.cfg.address || undefined, epoch: this.machine.epoch }, 'VIP acquired; serving');
  }

  private async renew(now: number): Promise<void> {
    try {
      const ok = await this.lease!.renew();
      this.lastRenew = now;
      if (!ok && this.machine.role === 'active') this.fence('lease taken by another proxy');
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'lease renewal failed; serving until its deadline');
    }
  }

  private async stepDown(reason: string, role: AdvertRole): Promise<void> {
    this.log.warn({ reason }, 'VIP: stepping down');
    this.held = false;
    this.machine.becameStandby(performance.now());
    this.changed();
    await this.holder.release({ closeSessions: true });
    await this.lease?.release();
    this.advert(role);
  }

  /** Drop the VIP now, synchronously as far as listeners go: we can no longer prove we may hold it. */
  private fence(reason: string): void {
    if (this.machine.role !== 'active') return;
    this.fenced++;
    this.log.error({ reason, epoch: this.machine.epoch }, 'VIP: fenced; releasing the address before serving anything');
    this.held = false;
    this.machine.becameStandby(performance.now());
    this.changed();
    void this.holder.release({ closeSessions: true });
    void this.lease?.release();
    this.advert('standby');
  }

  private changed(): void {
    this.transitions++;
    this.lastChange = Date.now();
  }

  private advert(role?: AdvertRole): void {
    this.lastAdvert = performance.now();
    this.transport.send(this.machine.advert(this.cfg.group, role));
  }
}
