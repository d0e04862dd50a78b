import type { AddressInfo } from 'node:net';
import type { Logger } from '../shared/log.js';
import { BackendPool } from './backend-pool.js';
import type { AdminState, ProxyConfig } from './config.js';
import { Frontend } from './frontend.js';
import { backendStats, frontendStats, poolStats, type BackendStats, type StatsSnapshot } from './stats/snapshot.js';
import { StatsServer, type StatsSource } from './stats/server.js';
import { BindMode } from './vip/bind-mode.js';
import { VipController } from './vip/controller.js';
import type { VipHolder } from './vip/holder.js';
import { RedisLease } from './vip/lease.js';
import { LinuxMode } from './vip/linux-mode.js';

/**
 * One warren-proxy process: pools of backends with their health checks, frontends that accept clients,
 * the VIP controller (when a VIP is configured) deciding whether the VIP frontends listen, and the stats
 * server. `reload` applies a new configuration to new connections without touching established ones.
 */
export class Proxy implements StatsSource {
  readonly pools = new Map<string, BackendPool>();
  readonly frontends = new Map<string, Frontend>();
  vip: VipController | null = null;
  statsAddress: AddressInfo | null = null;
  private stats: StatsServer | null = null;
  private readonly started = Date.now();
  private stopping = false;

  constructor(
    public config: ProxyConfig,
    readonly log: Logger,
  ) {
    for (const pc of config.pools) this.pools.set(pc.name, new BackendPool(pc, log));
    for (const fc of config.frontends) this.frontends.set(fc.name, this.newFrontend(fc));
  }

  async start(): Promise<void> {
    for (const p of this.pools.values()) p.start();
    if (this.config.stats) {
      this.stats = new StatsServer(this, () => this.config.statsAdmin, this.log);
      this.statsAddress = await this.stats.listen(this.config.stats);
      this.log.info({ address: `${this.statsAddress.address}:${this.statsAddress.port}` }, 'stats server listening');
    }
    for (const f of this.frontends.values()) if (!f.config.vip) await f.open();
    const v = this.config.vip;
    if (v.mode !== 'none') {
      const bind = new BindMode(() => [...this.frontends.values()].filter((f) => f.config.vip), this.log);
      const holder: VipHolder = v.mode === 'linux' ? new LinuxMode(v, bind, this.log) : bind;
      const lease = this.config.redisUrl ? new RedisLease(this.config.redisUrl, v.group, v.id, v.leaseTtl, v.advertInterval, this.log) : null;
      this.vip = new VipController(v, holder, lease, this.log.child({ vip: v.id }), () => this.trackOk());
      await this.vip.start();
    } else {
      for (const f of this.frontends.values()) if (f.config.vip) await f.open();
    }
  }

  /** Ready to serve: no VIP configured, or active and holding it. */
  get ready(): boolean {
    if (this.stopping) return false;
    return this.vip ? this.vip.ready : true;
  }

  /** The track check: every pool has at least one backend up and enabled. */
  trackOk(): boolean {
    for (const p of this.pools.values()) if (p.healthyCount === 0) return false;
    return true;
  }

  snapshot(): StatsSnapshot {
    const mem = process.memoryUsage();
    for (const f of this.frontends.values()) f.countBytes();
    return {
      proxy: { pid: process.pid, uptimeMs: Date.now() - this.started, ready: this.ready, rss: mem.rss, heapUsed: mem.heapUsed },
      vip: this.vip?.status() ?? null,
      frontends: [...this.frontends.values()].map(frontendStats),
      pools: [...this.pools.values()].map(poolStats),
    };
  }

  setAdmin(name: string, state: AdminState): BackendStats | undefined {
    for (const p of this.pools.values()) {
      const b = p.find(name);
      if (b) {
        b.setAdmin(state);
        return backendStats(b, p.config.check.type);
      }
    }
    return undefined;
  }

  /**
   * Applies a new configuration: pools and backends are reconciled by name (see BackendPool.update),
   * frontends take new limits, pools and timeouts for new connections and rebind changed addresses;
   * VIP priority, preempt and track weight apply at once. Established sessions are not touched.
   */
  async reload(next: ProxyConfig): Promise<void> {
    const old = this.config;
    this.config = next;
    this.log.level = next.logLevel;
    for (const pc of next.pools) {
      const p = this.pools.get(pc.name);
      if (p) p.update(pc);
      else {
        const np = new BackendPool(pc, this.log);
        this.pools.set(pc.name, np);
        np.start();
      }
    }
    for (const [name, p] of this.pools) {
      if (!next.pools.some((pc) => pc.name === name)) {
        p.stop();
        this.pools.delete(name);
      }
    }
    const vipOpen = this.vip ? this.vip.ready : true;
    for (const fc of next.frontends) {
      const f = this.frontends.get(fc.name);
      if (f) await f.update(fc);
      else {
        const nf = this.newFrontend(fc);
        this.frontends.set(fc.name, nf);
        if (!fc.vip || vipOpen) await nf.open().catch((e: Error) => this.log.error({ frontend: fc.name, err: e.message }, 'cannot open a new frontend'));
      }
    }
    for (const [name, f] of this.frontends) {
      if (!next.frontends.some((fc) => fc.name === name)) {
        f.close();
        this.frontends.delete(name);
      }
    }
    this.vip?.configure(next.vip);
    const restartOnly = ['mode', 'address', 'interface', 'prefix', 'bind', 'peers', 'group', 'id', 'authKey', 'leaseTtl', 'advertInterval', 'deadAfter'] as const;
    const changed = restartOnly.filter((k) => JSON.stringify(old.vip[k]) !== JSON.stringify(next.vip[k]));
    if (changed.length || old.redisUrl !== next.redisUrl || JSON.stringify(old.stats) !== JSON.stringify(next.stats)) {
      this.log.warn({ changed: [...changed.map((k) => `vip.${k}`), ...(old.redisUrl !== next.redisUrl ? ['redis-url'] : []), ...(JSON.stringify(old.stats) !== JSON.stringify(next.stats) ? ['stats'] : [])] }, 'these settings take effect only after a restart');
    }
    this.log.info({ pools: next.pools.length, frontends: next.frontends.length }, 'configuration reloaded');
  }

  /** Graceful stop: hand the VIP over at once, stop accepting, let sessions finish for up to `grace` ms. */
  async stop(grace = this.config.shutdownGrace): Promise<void> {
    this.stopping = true;
    await this.vip?.stop();
    for (const f of this.frontends.values()) f.close();
    for (const p of this.pools.values()) p.stop();
    await Promise.all([...this.frontends.values()].map((f) => f.drain(grace)));
    this.stats?.close();
  }

  private newFrontend(fc: ProxyConfig['frontends'][number]): Frontend {
    const f: Frontend = new Frontend(
      fc,
      (name) => this.pools.get(name)!,
      () => !f.config.vip || !this.vip || this.vip.mayServe(),
      this.log,
    );
    return f;
  }
}
