import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from '../shared/log.js';
import { Counters } from './backend.js';
import type { BackendPool } from './backend-pool.js';
import type { FrontendConfig } from './config.js';
import { formatEndpoint, type Endpoint } from './config-values.js';
import { Session } from './session.js';

/** Decides, per new connection, whether this proxy may serve it now (the VIP fence). */
export type Gate = () => boolean;

/**
 * A set of listening addresses feeding one pool. Listeners can be opened and closed at run time (the VIP
 * moves them between proxies) without touching established sessions. When maxconn sessions are open, a new
 * client is closed at once rather than queued, so the proxy never holds unbounded pending clients.
 */
export class Frontend {
  readonly counters = new Counters();
  /** Clients closed because maxconn sessions were open. */
  denied = 0;
  /** Clients closed because the gate refused them (this proxy no longer holds the VIP). */
  fenced = 0;
  readonly sessions = new Set<Session>();
  private readonly servers = new Map<string, Server>();
  private wantOpen = false;

  constructor(
    public config: FrontendConfig,
    private readonly pools: (name: string) => BackendPool,
    private readonly gate: Gate,
    private readonly log: Logger,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get listening(): boolean {
    return this.servers.size > 0;
  }

  /** The addresses actually bound (port 0 resolved). */
  get addresses(): string[] {
    return [...this.servers.values()].map((s) => {
      const a = s.address() as AddressInfo | null;
      return a ? formatEndpoint({ host: a.address, port: a.port }) : '';
    });
  }

  /** Binds every listen address; if one fails, closes the others and throws (all or nothing). */
  async open(): Promise<void> {
    this.wantOpen = true;
    try {
      for (const e of this.config.listen) if (!this.servers.has(formatEndpoint(e))) await this.listen(e);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Stops accepting: the listening sockets close at once; sessions continue. */
  close(): void {
    this.wantOpen = false;
    for (const s of this.servers.values()) s.close();
    this.servers.clear();
  }

  /** Brings the byte counters up to date with the live sessions (see Session.countBytes). */
  countBytes(): void {
    for (const s of this.sessions) s.countBytes();
  }

  closeSessions(reason: string): number {
    const all = [...this.sessions];
    for (const s of all) s.destroy(reason);
    return all.length;
  }

  /** A reload: limits, pool and timeouts apply to new connections; changed listen addresses are rebound. */
  async update(config: FrontendConfig): Promise<void> {
    const old = this.config;
    this.config = config;
    if (!this.wantOpen) return;
    const keep = new Set(config.listen.map(formatEndpoint));
    for (const e of old.listen) {
      const k = formatEndpoint(e);
      if (!keep.has(k)) {
        this.servers.get(k)?.close();
        this.servers.delete(k);
      }
    }
    for (const e of config.listen) {
      if (this.servers.has(formatEndpoint(e))) continue;
      try {
        await this.listen(e);
      } catch (err) {
        this.log.error({ frontend: this.name, address: formatEndpoint(e), err: (err as Error).message }, 'cannot listen on a new address');
      }
    }
  }

  /** Resolves when every session has ended, or after `ms` (then the rest are closed). */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.closeSessions('shutdown grace period over');
  }

  private async listen(e: Endpoint): Promise<void> {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => this.accept(socket));
    server.listen({ host: e.host, port: e.port, backlog: 1024 });
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([err]) => Promise.reject(err as Error))]);
    server.on('error', (err) => this.log.error({ frontend: this.name, err: err.message }, 'listener error'));
    if (!this.wantOpen) {
      server.close();
      return;
    }
    this.servers.set(formatEndpoint(e), server);
    this.log.info({ frontend: this.name, address: formatEndpoint(e) }, 'listening');
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {}); // reported through the session's close
    if (!this.gate()) {
      this.fenced++;
      socket.destroy();
      return;
    }
    const limit = this.config.maxconn;
    if (limit > 0 && this.counters.cur >= limit) {
      this.denied++;
      if (this.denied === 1 || this.denied % 1000 === 0) this.log.warn({ frontend: this.name, maxconn: limit, denied: this.denied }, 'frontend maxconn reached; closing new clients');
      socket.destroy();
      return;
    }
    const session = new Session(socket, {
      frontend: this.name,
      counters: this.counters,
      pool: this.pools(this.config.pool),
      idleTimeout: this.config.idleTimeout,
      keepalive: this.config.keepalive,
      log: this.log,
      onEnd: (s) => this.sessions.delete(s),
    });
    this.sessions.add(session);
    session.start();
  }
}
