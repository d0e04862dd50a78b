import { connect, type Socket } from 'node:net';
import type { Logger } from '../shared/log.js';
import type { Backend, Closable, Counters } from './backend.js';
import type { BackendPool } from './backend-pool.js';
import { watchIdle } from './idle-watch.js';
import { socketAddresses } from '../shared/proxy-protocol/addresses.js';
import { proxyHeaderV1, proxyHeaderV2 } from '../shared/proxy-protocol/encode.js';

export interface SessionOptions {
  readonly frontend: string;
  readonly counters: Counters;
  readonly pool: BackendPool;
  readonly idleTimeout: number;
  readonly keepalive: number;
  readonly log: Logger;
  readonly onEnd: (s: Session) => void;
}

/**
 * One client connection and its backend connection. Bytes move with pipe() in both directions, so a slow
 * reader on either side pauses the other side's socket (TCP flow control does the rest) and the proxy
 * holds at most a stream's high-water mark per direction. Both sockets allow half-open: a client's FIN is
 * passed to the backend as a FIN while the backend may still answer, and the session ends once both
 * directions have ended (or either side resets, which resets the other).
 *
 * No timeout runs by default once connected: an AMQP connection idle between heartbeats, or one whose
 * client disabled heartbeats, is never cut by the proxy. `idleTimeout` (off by default) closes a session
 * with no byte in either direction for that long; set it above the heartbeat interval.
 */
export class Session implements Closable {
  backend: Backend | null = null;
  private server: Socket | null = null;
  private clientClosed = false;
  private serverClosed = false;
  private ended = false;
  /** Bytes already added to the counters (see countBytes). */
  private countedIn = 0;
  private countedOut = 0;
  private stopIdleWatch: (() => void) | null = null;
  private readonly tried = new Set<Backend>();

  constructor(
    readonly client: Socket,
    private readonly o: SessionOptions,
  ) {}

  start(): void {
    const c = this.client;
    c.pause();
    c.setNoDelay(true);
    if (this.o.keepalive > 0) c.setKeepAlive(true, this.o.keepalive);
    c.on('error', () => this.server?.destroy());
    c.on('close', (hadError) => {
      this.clientClosed = true;
      // A reset (or a client gone before the backend answered) resets the backend side too; a clean close
      // means both directions ended, and the backend socket finishes flushing on its own.
      if (hadError || this.server?.connecting) this.server?.destroy();
      this.maybeEnd();
    });
    this.o.counters.open();
    this.connect(this.o.pool.config.retries + 1);
  }

  destroy(reason: string): void {
    this.o.log.debug({ frontend: this.o.frontend, backend: this.backend?.name, reason }, 'closing session');
    this.client.destroy();
    this.server?.destroy();
  }

  private connect(attemptsLeft: number): void {
    const pool = this.o.pool;
    if (this.client.destroyed) return this.maybeEnd();
    const b = pool.pick(this.client.remoteAddress ?? '', this.tried);
    if (!b) {
      pool.noBackend++;
      const why = this.tried.size ? 'every usable backend refused the connection' : 'no backend available';
      this.o.log.warn({ frontend: this.o.frontend, pool: pool.name, client: this.client.remoteAddress }, `${why}; closing the client`);
      this.client.destroy();
      return;
    }
    this.tried.add(b);
    this.assign(b);
    const cfg = pool.config;
    const server = connect({
      host: b.config.host,
      port: b.config.port,
      allowHalfOpen: true,
      noDelay: true,
      keepAlive: this.o.keepalive > 0,
      keepAliveInitialDelay: this.o.keepalive,
    });
    this.server = server;
    let settled = false;
    const timer = setTimeout(() => server.destroy(new Error(`connect timeout ${cfg.connectTimeout} ms`)), cfg.connectTimeout);
    const failed = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      this.unassign(b);
      this.server = null;
      if (this.client.destroyed) return this.maybeEnd();
      b.connectErrors++;
      this.o.log.warn({ frontend: this.o.frontend, backend: b.name, address: b.address, err: e.message, attemptsLeft: attemptsLeft - 1 }, 'backend connect failed');
      if (attemptsLeft > 1) this.connect(attemptsLeft - 1);
      else this.client.destroy();
    };
    server.once('error', failed);
    server.once('close', () => failed(new Error('closed while connecting')));
    server.once('connect', () => {
      settled = true;
      clearTimeout(timer);
      server.off('error', failed);
      this.connected(server, b);
    });
  }

  private connected(server: Socket, b: Backend): void {
    const c = this.client;
    server.on('error', () => c.destroy());
    server.on('close', (hadError) => {
      this.serverClosed = true;
      if (hadError) c.destroy();
      this.maybeEnd();
    });
    if (c.destroyed) {
      server.destroy();
      return;
    }
    b.counters.total++;
    this.o.pool.counters.total++;
    const proto = this.o.pool.config.sendProxy;
    if (proto !== 'off') {
      server.write((proto === 'v1' ? proxyHeaderV1 : proxyHeaderV2)(socketAddresses(c)));
    }
    const idle = this.o.idleTimeout;
    if (idle > 0) this.stopIdleWatch = watchIdle(c, server, idle, () => this.destroy(`idle for ${idle} ms`));
    c.pipe(server);
    server.pipe(c);
    c.resume();
  }

  /**
   * Adds the bytes moved since the last call to the frontend, backend and pool counters. They come from
   * the sockets' own totals, so forwarding does no per-chunk bookkeeping; the stats call this for live
   * sessions before they read the counters, and the session once more when it ends.
   */
  countBytes(): void {
    const b = this.backend;
    // bytes a client sends while its backend is still connecting belong to whichever backend takes it
    if (!b || !this.server || this.server.connecting) return;
    const bytesIn = this.client.bytesRead - this.countedIn;
    const bytesOut = this.server.bytesRead - this.countedOut;
    this.countedIn += bytesIn;
    this.countedOut += bytesOut;
    for (const c of [this.o.counters, b.counters, this.o.pool.counters]) {
      c.bytesIn += bytesIn;
      c.bytesOut += bytesOut;
    }
  }

  private assign(b: Backend): void {
    this.backend = b;
    b.counters.open();
    b.counters.total--; // counted once connected
    b.sessions.add(this);
    this.o.pool.counters.open();
    this.o.pool.counters.total--;
  }

  private unassign(b: Backend): void {
    b.counters.close();
    b.sessions.delete(this);
    this.o.pool.counters.close();
    this.backend = null;
  }

  /** The session ends when the client socket and the backend socket (if one was opened) have closed. */
  private maybeEnd(): void {
    if (this.ended || !this.clientClosed || (this.server !== null && !this.serverClosed)) return;
    this.ended = true;
    this.stopIdleWatch?.();
    this.countBytes();
    this.o.counters.close();
    if (this.backend) this.unassign(this.backend);
    this.o.onEnd(this);
  }
}
