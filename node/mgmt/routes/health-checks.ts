import type { ServerResponse } from 'node:http';
import { expiringIn } from '../certificate-expiry.js';
import type { MgmtContext } from '../context.js';
import { badRequest } from '../http-error.js';
import { amqpListeners, type Listener } from '../listeners.js';
import type { Router } from '../router.js';
import { erlangInteger } from './body.js';

/** The node's listeners, by RabbitMQ's protocol names: the AMQP ones and the management API's. */
const listeners = (ctx: MgmtContext): Listener[] => [...amqpListeners(ctx), { protocol: 'http', host: ctx.config.mgmtHost, port: ctx.mgmtPort() }];

/**
 * Other names RabbitMQ accepts for the protocols Warren listens for (after lower-casing); any other name is
 * looked for as it is. AMQP 1.0's names, which RabbitMQ's shared listener answers to, are left out:
 * Warren does not speak it.
 */
const PROTOCOL_ALIASES: Readonly<Record<string, string>> = {
  amqp091: 'amqp',
  'amqp0.9.1': 'amqp',
  'amqp0-9-1': 'amqp',
  amqp0_9_1: 'amqp',
  amqps: 'amqp/ssl',
  http1: 'http',
  'http1.1': 'http',
  http_api: 'http',
  management: 'http',
  management_ui: 'http',
  ui: 'http',
};

/** RabbitMQ's health check failure: 503 with what was looked for and what there is. */
function failed(res: ServerResponse, body: Record<string, unknown>): Record<string, unknown> {
  res.statusCode = 503;
  return { status: 'failed', ...body };
}

/** RabbitMQ's certificate-expiration units, in seconds (a month is a twelfth of a year). */
const UNIT_SECONDS: Readonly<Record<string, number>> = { days: 86400, weeks: 7 * 86400, months: (365 / 12) * 86400, years: 365 * 86400 };

/** RabbitMQ 3.10's listener, cluster and certificate health checks, each answered from this node's real state. */
export function healthCheckRoutes(r: Router, ctx: MgmtContext): void {
  r.add('GET', '/api/health/checks/port-listener/{port}', 'management', (req, res) => {
    const port = erlangInteger(req.params['port']!);
    if (port === null) throw badRequest('Invalid port');
    const ports = listeners(ctx).map((l) => l.port);
    return ports.includes(port) ? { status: 'ok', port } : failed(res, { reason: 'No active listener', missing: port, ports });
  });

  r.add('GET', '/api/health/checks/protocol-listener/{protocol}', 'management', (req, res) => {
    const asked = req.params['protocol']!.toLowerCase();
    const protocol = PROTOCOL_ALIASES[asked] ?? asked;
    const protocols = listeners(ctx).map((l) => l.protocol);
    return protocols.includes(protocol) ? { status: 'ok', protocol } : failed(res, { reason: 'No active listener', missing: protocol, protocols });
  });

  // one node, with neither quorum nor mirrored queues: stopping it never costs another node's queues
  r.add('GET', '/api/health/checks/node-is-quorum-critical', 'management', () => ({ status: 'ok', reason: 'single node cluster' }));
  r.add('GET', '/api/health/checks/node-is-mirror-sync-critical', 'management', () => ({ status: 'ok', reason: 'single node cluster' }));

  r.add('GET', '/api/health/checks/certificate-expiration/{within}/{unit}', 'management', (req, res) => {
    const within = erlangInteger(req.params['within']!);
    if (within === null) throw badRequest('Invalid expiration value.');
    const unit = UNIT_SECONDS[req.params['unit']!.toLowerCase()];
    if (unit === undefined) throw badRequest('Time unit not recognised. Supported units: days, weeks, months, years.');
    const deadline = Date.now() + within * unit * 1000;
    const expired = listeners(ctx).flatMap(({ protocol, host, port, tls }) => {
      if (!tls) return [];
      const cert = expiringIn(tls.certfile, deadline);
      const ca = tls.cacertfile === null ? [] : expiringIn(tls.cacertfile, deadline);
      if (cert.length === 0 && ca.length === 0) return [];
      return [{ node: ctx.node, protocol, interface: host, port, ...tls, certfile_expires_on: cert, cacertfile_expires_on: ca }];
    });
    return expired.length === 0 ? { status: 'ok' } : failed(res, { reason: 'Certificates expiring', expired });
  });
}
