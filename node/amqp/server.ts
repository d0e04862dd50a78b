import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { Broker } from '../broker/broker.js';
import type { NodeConfig } from '../config.js';
import { AmqpConnection, type ConnectionContext } from './connection.js';
import { ReplyConsumers } from './direct-reply-to.js';
import { ResourceAlarms } from './resource-alarms.js';
import { Ticker } from './ticker.js';

/** The AMQP listeners (plain, and TLS when amqps-port is set): each socket gets an AmqpConnection. */
export class AmqpServer {
  private readonly server: Server;
  /** The AMQPS listener, or null when none is configured. */
  private readonly tlsServer: Server | null;
  private readonly ctx: ConnectionContext;

  /** `tls`: the AMQPS listener's options (see tlsServerOptions), or null for none. */
  constructor(broker: Broker, config: NodeConfig, log: Logger, tls: TlsOptions | null) {
    const connections = new Set<AmqpConnection>();
    const ticker = new Ticker();
    const alarms = new ResourceAlarms(config, connections, log, (on) => broker.setPaging(on));
    this.ctx = { broker, config, log, ticker, connections, alarms, replyConsumers: new ReplyConsumers() };
    this.server = createServer((socket) => new AmqpConnection(socket, this.ctx));
    this.tlsServer = tls && createTlsServer(tls, (socket) => this.acceptTls(socket));
    // a failed TLS handshake never became a connection: one debug line, as for any client gone early
    this.tlsServer?.on('tlsClientError', (e, s) => log.debug({ client: `${s.remoteAddress}:${s.remotePort}`, err: e.message }, 'TLS handshake failed'));
    this.server.on('listening', () => {
      alarms.tick();
      ticker.add(alarms);
    });
    this.server.on('close', () => ticker.delete(alarms));
    // wait mode: connections whose channels wait for the deduplication store are blocked while it is away
    const store = config.dedupRedisUnavailable === 'wait' ? broker.dedupStore : null;
    const unsubscribe = store?.availability.onChange((reason) => {
      for (const c of connections) c.dedupStoreChanged(reason);
    });
    if (unsubscribe) this.server.on('close', unsubscribe);
  }

  get connections(): ReadonlySet<AmqpConnection> {
    return this.ctx.connections;
  }

  /** The port actually listened on (differs from the configured one when that was 0). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : 0;
  }

  /** The AMQPS port listened on, or null without one. */
  get tlsPort(): number | null {
    const a = this.tlsServer?.address();
    return typeof a === 'object' && a !== null ? a.port : null;
  }

  get alarms(): ResourceAlarms {
    return this.ctx.alarms;
  }

  /** The AMQP listener, then the AMQPS one when configured; its address is null when there is none. */
  async listen(port: number, host: string): Promise<{ amqp: AddressInfo; amqps: AddressInfo | null }> {
    const amqp = await listenOn(this.server, port, host);
    if (!this.tlsServer) return { amqp, amqps: null };
    const amqps = await listenOn(this.tlsServer, this.ctx.config.amqpsPort!, host).catch((e: unknown) => {
      this.server.close();
      throw e;
    });
    return { amqp, amqps };
  }

  /**
   * tls-verify peer without fail-if-no-peer-cert: the handshake let every client in (Node refuses a bad
   * certificate only together with a missing one), so a client whose certificate did not verify goes here.
   */
  private acceptTls(socket: TLSSocket): void {
    const sent = Object.keys(socket.getPeerCertificate()).length > 0;
    if (this.ctx.config.tlsVerify === 'peer' && sent && !socket.authorized) {
      this.ctx.log.warn({ client: `${socket.remoteAddress}:${socket.remotePort}`, err: String(socket.authorizationError) }, 'client certificate refused');
      socket.destroy();
      return;
    }
    new AmqpConnection(socket, this.ctx);
  }

  /** Stops accepting, tells every client the node is going away (320), and waits for sockets to close. */
  async close(): Promise<void> {
    const closed = Promise.all([this.server, this.tlsServer].map((s) => s && new Promise<void>((resolve) => s.close(() => resolve()))));
    for (const c of this.ctx.connections) c.forceClose('broker forced connection closure with reason \'shutdown\'');
    const deadline = setTimeout(() => {
      for (const c of this.ctx.connections) c.socket.destroy();
    }, 1000);
    await closed;
    clearTimeout(deadline);
  }
}

function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
