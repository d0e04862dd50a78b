import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate } from './auth.js';
import type { MgmtContext } from './context.js';
import { admit } from './guards.js';
import { badRequest, HttpError, LoginFailed } from './http-error.js';
import { Metrics } from './metrics.js';
import { Router, type Method, type Request } from './router.js';
import { accessRoutes } from './routes/access.js';
import { bindingRoutes } from './routes/bindings.js';
import { connectionRoutes } from './routes/connections.js';
import { definitionRoutes } from './routes/definitions.js';
import { exchangeRoutes } from './routes/exchanges.js';
import { featureFlagRoutes } from './routes/feature-flags.js';
import { globalParameterRoutes } from './routes/global-parameters.js';
import { healthCheckRoutes } from './routes/health-checks.js';
import { limitRoutes } from './routes/limits.js';
import { nodeRoutes } from './routes/nodes.js';
import { overviewRoutes } from './routes/overview.js';
import { policyRoutes } from './routes/policies.js';
import { queueRoutes } from './routes/queues.js';
import { topicPermissionRoutes } from './routes/topic-permissions.js';
import { StatsSweep } from './stats-sweep.js';
import { serveUi } from './ui.js';

const MAX_BODY = 16 * 1024 * 1024;

/** GET /api/auth, which RabbitMQ's web UI reads before anyone logs in: Warren has no OAuth 2 sign-in. */
const AUTH_SETTINGS = JSON.stringify({ enable_uaa: false, uaa_client_id: '', uaa_location: '' });

/**
 * The management HTTP server: RabbitMQ-compatible API under /api (basic auth, user tags), Prometheus
 * metrics at /metrics (no auth, as rabbitmq_prometheus), and the web UI at /.
 */
export class MgmtServer {
  private readonly server: Server;
  private readonly router = new Router();
  private readonly sweep: StatsSweep;

  constructor(private readonly ctx: MgmtContext) {
    for (const add of [overviewRoutes, nodeRoutes, accessRoutes, topicPermissionRoutes, exchangeRoutes, queueRoutes, bindingRoutes, policyRoutes, definitionRoutes, connectionRoutes, limitRoutes, globalParameterRoutes, healthCheckRoutes, featureFlagRoutes]) {
      add(this.router, ctx);
    }
    const metrics = new Metrics(ctx);
    this.sweep = new StatsSweep(ctx);
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/metrics' || path.startsWith('/metrics/')) return void metrics.serve(req, res);
      if (path === '/api/auth' && req.method === 'GET') {
        res.setHeader('Content-Type', 'application/json');
        return void res.end(AUTH_SETTINGS);
      }
      if (path.startsWith('/api/')) return void this.api(req, res);
      serveUi(path, res);
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
  }

  close(): Promise<void> {
    this.sweep.close();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async api(raw: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(raw.url ?? '/', 'http://localhost');
    const rawPath = (raw.url ?? '/').split('?')[0]!;
    try {
      const user = authenticate(raw, this.ctx.broker);
      const found = this.router.match(raw.method ?? 'GET', rawPath);
      if (!found) throw new HttpError(404, 'Object Not Found', 'Not Found');
      if ('allowed' in found) {
        res.setHeader('Allow', found.allowed.join(', '));
        throw new HttpError(405, 'method_not_allowed', `use ${found.allowed.join(', ')}`);
      }
      admit(this.ctx.broker, user, found.route.guard, found.params['vhost']);
      const req: Request = { method: raw.method as Method, params: found.params, query: url.searchParams, user, raw, body: () => readJson(raw) };
      const result = await found.route.handler(req, res);
      if (res.writableEnded) return;
      if (result === undefined) {
        if (res.statusCode === 200) res.statusCode = 204;
        res.end();
      } else {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(result));
      }
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal_error', (e as Error).message);
      if (err.status === 500) this.ctx.log.error({ err: e, path: rawPath }, 'management API error');
      if (err instanceof LoginFailed) res.setHeader('WWW-Authenticate', 'Basic realm="Warren Management"');
      res.statusCode = err.status;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ error: err.error, reason: err.reason }));
    }
  }
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'payload_too_large', `body larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(badRequest(`body is not valid JSON: ${(e as Error).message}`));
      }
    });
    req.on('error', reject);
  });
}
