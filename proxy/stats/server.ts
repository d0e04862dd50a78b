import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../shared/log.js';
import type { AdminState } from '../config.js';
import type { Endpoint } from '../config-values.js';
import { renderHtml } from './html.js';
import { renderHealth, renderJson } from './json.js';
import { Metrics } from './metrics.js';
import type { BackendStats, StatsSnapshot } from './snapshot.js';

/** What the stats server needs from the proxy. */
export interface StatsSource {
  snapshot(): StatsSnapshot;
  /** Sets a backend's admin state; undefined if no backend has that name. */
  setAdmin(backend: string, state: AdminState): BackendStats | undefined;
  readonly ready: boolean;
}

const ACTIONS: Record<string, AdminState> = { enable: 'ready', disable: 'maint', drain: 'drain' };

/**
 * The stats and admin HTTP server: GET /stats (HTML), /stats.json, /metrics (Prometheus), /healthz (200
 * when ready: this proxy is active, or no VIP is configured; 503 otherwise), and
 * POST /admin/backends/{name}/{enable|disable|drain}. There is no authentication: bind it to loopback or
 * an admin network, or turn the admin endpoints off with `stats-admin: false`.
 */
export class StatsServer {
  private server: Server | null = null;
  private readonly metrics: Metrics;

  constructor(
    private readonly source: StatsSource,
    private readonly admin: () => boolean,
    private readonly log: Logger,
  ) {
    this.metrics = new Metrics(() => source.snapshot());
  }

  async listen(at: Endpoint): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => {
        this.log.error({ err: e.message, url: req.url }, 'stats request failed');
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      });
    });
    server.listen(at.port, at.host);
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
    this.server = server;
    return server.address() as AddressInfo;
  }

  close(): void {
    this.server?.close();
    this.server?.closeAllConnections();
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stats');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const admin = /^\/admin\/backends\/([^/]+)\/([^/]+)$/.exec(path);
    if (admin) return this.adminAction(req, res, decodeURIComponent(admin[1]!), admin[2]!);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n', { allow: 'GET, HEAD' });
    switch (path) {
      case '/':
      case '/stats': {
        const refresh = Number(url.searchParams.get('refresh') ?? 5);
        return send(res, 200, 'text/html; charset=utf-8', renderHtml(this.source.snapshot(), Number.isFinite(refresh) && refresh > 0 ? refresh : 5));
      }
      case '/stats.json':
        return send(res, 200, 'application/json', renderJson(this.source.snapshot()));
      case '/metrics':
        return send(res, 200, this.metrics.registry.contentType, await this.metrics.render());
      case '/healthz': {
        const h = renderHealth(this.source.snapshot());
        return send(res, h.status, 'application/json', h.body);
      }
      default:
        return send(res, 404, 'text/plain', 'not found: try /stats, /stats.json, /metrics, /healthz\n');
    }
  }

  private adminAction(req: IncomingMessage, res: ServerResponse, name: string, action: string): void {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'use POST\n', { allow: 'POST' });
    if (!this.admin()) return send(res, 403, 'text/plain', 'admin endpoints are off (stats-admin: false)\n');
    const state = ACTIONS[action];
    if (!state) return send(res, 404, 'text/plain', `unknown action '${action}': enable, disable or drain\n`);
    req.resume();
    const b = this.source.setAdmin(name, state);
    if (!b) return send(res, 404, 'text/plain', `no backend named '${name}'\n`);
    this.log.warn({ backend: name, action, from: req.socket.remoteAddress }, 'admin: backend state changed');
    send(res, 200, 'application/json', `${JSON.stringify(b)}\n`);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
