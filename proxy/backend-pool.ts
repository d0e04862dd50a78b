import type { Logger } from '../shared/log.js';
import { Backend, Counters } from './backend.js';
import { createBalancer, type Balancer } from './balancers/balancer.js';
import type { BackendConfig, PoolConfig } from './config.js';
import { HealthChecker } from './health/checker.js';
import type { CheckResult } from './health/result.js';

/**
 * A named group of backends behind one balancing algorithm, with a health checker per backend. A reload
 * reconciles by backend name: a backend whose address is unchanged keeps its counters, sessions and
 * health; a removed one is retired (its sessions run on, it takes no new ones).
 */
export class BackendPool {
  backends: Backend[] = [];
  readonly counters = new Counters();
  /** Clients turned away because no backend could take them. */
  noBackend = 0;
  private readonly checkers = new Map<Backend, HealthChecker>();
  private balancer: Balancer;
  private started = false;

  constructor(
    public config: PoolConfig,
    private readonly log: Logger,
  ) {
    this.balancer = createBalancer(config.balance);
    for (const bc of config.backends) this.backends.push(this.create(bc));
  }

  get name(): string {
    return this.config.name;
  }

  start(): void {
    this.started = true;
    for (const c of this.checkers.values()) c.start();
  }

  stop(): void {
    this.started = false;
    for (const c of this.checkers.values()) c.stop();
  }

  /** A backend for a new session from `clientAddress`, skipping `tried` (earlier failed attempts). */
  pick(clientAddress: string, tried: ReadonlySet<Backend>): Backend | undefined {
    const candidates = this.backends.filter((b) => b.usable && !tried.has(b));
    if (candidates.length === 0) return undefined;
    return this.balancer.pick(candidates, clientAddress);
  }

  /** Backends that are up and enabled (the VIP track check wants at least one). */
  get healthyCount(): number {
    return this.backends.reduce((n, b) => n + (b.healthy ? 1 : 0), 0);
  }

  find(name: string): Backend | undefined {
    return this.backends.find((b) => b.name === name);
  }

  update(config: PoolConfig): void {
    const old = new Map(this.backends.map((b) => [b.name, b]));
    if (config.balance !== this.config.balance) this.balancer = createBalancer(config.balance);
    const next: Backend[] = [];
    for (const bc of config.backends) {
      const b = old.get(bc.name);
      if (b && b.config.host === bc.host && b.config.port === bc.port) {
        old.delete(bc.name);
        if (bc.state !== b.config.state) b.setAdmin(bc.state);
        b.config = bc;
        b.slowStartMs = config.slowStart;
        this.updateChecker(b, config);
        next.push(b);
      } else {
        const nb = this.create(bc, config);
        if (this.started) this.checkers.get(nb)?.start();
        next.push(nb);
      }
    }
    for (const b of old.values()) this.retire(b);
    this.backends = next;
    this.config = config;
  }

  private updateChecker(b: Backend, config: PoolConfig): void {
    const checker = this.checkers.get(b);
    const sameType = checker && config.check.type === this.config.check.type;
    if (sameType) return checker.update(config.check);
    checker?.stop();
    this.checkers.delete(b);
    if (config.check.type === 'none') b.setHealth(true);
    else {
      const c = new HealthChecker(b, config.check, (be, up, r) => this.onTransition(be, up, r));
      this.checkers.set(b, c);
      if (this.started) c.start();
    }
  }

  private create(bc: BackendConfig, config = this.config): Backend {
    const b = new Backend(bc, config.slowStart);
    if (config.check.type !== 'none') this.checkers.set(b, new HealthChecker(b, config.check, (be, up, r) => this.onTransition(be, up, r)));
    return b;
  }

  private retire(b: Backend): void {
    b.retired = true;
    this.checkers.get(b)?.stop();
    this.checkers.delete(b);
    this.log.info({ pool: this.name, backend: b.name, sessions: b.counters.cur }, 'backend removed; its sessions continue');
  }

  private onTransition(b: Backend, up: boolean, r: CheckResult): void {
    const fields = { pool: this.name, backend: b.name, address: b.address, check: r.status, detail: r.detail, ms: r.durationMs };
    if (up) {
      this.log.warn(fields, 'backend is UP');
      return;
    }
    this.log.warn({ ...fields, remaining: this.healthyCount }, 'backend is DOWN');
    if (this.config.onMarkedDown === 'shutdown-sessions') {
      const n = b.shutdownSessions('backend marked down');
      if (n > 0) this.log.warn({ pool: this.name, backend: b.name, sessions: n }, 'closed the sessions of a backend marked down');
    }
  }
}
