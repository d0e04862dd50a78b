import type { MgmtContext } from './context.js';

/** A listener of the node, by RabbitMQ's protocol name. */
export interface Listener {
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
  /** The PEM files of a TLS listener. */
  readonly tls?: { readonly certfile: string; readonly cacertfile: string | null };
}

/**
 * The node's AMQP listeners: plain, and TLS when it listens for AMQPS (which needs tls-cert-file: see
 * tlsServerOptions), as /api/overview and the listener health checks list them.
 */
export function amqpListeners(ctx: MgmtContext): Listener[] {
  const { amqp, config } = ctx;
  const tls: Listener[] =
    amqp.tlsPort === null || config.tlsCertFile === null ? [] : [{ protocol: 'amqp/ssl', host: config.amqpHost, port: amqp.tlsPort, tls: { certfile: config.tlsCertFile, cacertfile: config.tlsCaFile } }];
  return [{ protocol: 'amqp', host: config.amqpHost, port: amqp.port }, ...tls];
}
