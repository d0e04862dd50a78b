import { createServer, type AddressInfo, type Server } from 'node:net';
import type { Logger } from 'pino';
import type { Broker } from '../broker/broker.js';
import type { NodeConfig } from '../config.js';
import { AmqpConnection, type ConnectionContext } from './connection.js';
import { ResourceAlarms } from './resource-alarms.js';
import { Ticker } from './ticker.js';

/** The AMQP listener: accepts sockets and gives each an AmqpConnection. */
export class AmqpServer {
  private readonly server: Server;
  private readonly ctx: ConnectionContext;

  constructor(broker: Broker, config: NodeConfig, log: Logger) {
    const connections = new Set<AmqpConnection>();
    const ticker = new Ticker();
    const alarms = new ResourceAlarms(config, connections, log, (on) => broker.setPaging(on));
    this.ctx = { broker, config, log, ticker, connections, alarms };
    this.server = createServer((socket) => new AmqpConnection(socket, this.ctx));
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

  get alarms(): ResourceAlarms {
    return this.ctx.alarms;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting, tells every client the node is going away (320), and waits for sockets to close. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.ctx.connections) c.forceClose('broker forced connection closure with reason \'shutdown\'');
    const deadline = setTimeout(() => {
      for (const c of this.ctx.connections) c.socket.destroy();
    }, 1000);
    await closed;
    clearTimeout(deadline);
  }
}
