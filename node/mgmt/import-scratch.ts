import type { FieldTable } from '../../shared/amqp/index.js';
import { Broker } from '../broker/broker.js';
import type { Queue } from '../broker/queue.js';
import type { Vhost } from '../broker/vhost.js';
import type { MgmtContext } from './context.js';

/**
 * A throwaway broker a definitions import is tried on before the node's: it starts empty and copies the
 * node's vhosts, exchanges and queues when the import first names them, so that declaring one again is
 * checked against the node's. It writes nothing anywhere.
 */
export class ImportScratch {
  private readonly broker = new Broker();
  /** The management context the import's steps run in while being tried. */
  readonly ctx: MgmtContext;
  private readonly standIns = new Map<Vhost, Queue>();

  constructor(private readonly node: MgmtContext) {
    this.ctx = { ...node, broker: this.broker };
  }

  vhost(name: string): Vhost {
    return this.broker.vhosts.get(name) ?? this.broker.addVhost(name);
  }

  /** Copies the node's exchange, if it has one and it is not here yet. */
  exchange(vhost: string, name: string): void {
    const v = this.vhost(vhost);
    const x = this.node.broker.vhosts.get(vhost)?.exchanges.get(name);
    if (x && !v.exchanges.has(name)) v.declareExchange({ ...x.options, passive: false });
  }

  /** Copies the node's queue, if it has one and it is not here yet (the name is not amq.*: those are not imported). */
  queue(vhost: string, name: string): void {
    const v = this.vhost(vhost);
    const q = this.node.broker.vhosts.get(vhost)?.queues.get(name);
    if (q && !v.queues.has(name)) v.declareQueue({ ...q.options, passive: false }, q.options.owner);
  }

  /** Whether the import declared it, or the node has it. */
  has(vhost: string, kind: 'queue' | 'exchange', name: string): boolean {
    const holds = (v: Vhost | undefined) => (kind === 'queue' ? v?.queues.has(name) : v?.exchanges.has(name)) === true;
    return holds(this.broker.vhosts.get(vhost)) || holds(this.node.broker.vhosts.get(vhost));
  }

  /**
   * Binds as the node would: what a bind checks is the source exchange and the arguments, so a stand-in
   * queue serves as the destination, whichever it is.
   */
  bind(vhost: string, source: string, routingKey: string, args: FieldTable): void {
    const v = this.vhost(vhost);
    this.exchange(vhost, source);
    let standIn = this.standIns.get(v);
    if (!standIn) this.standIns.set(v, (standIn = v.declareQueue({ name: '', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: {} }, null)));
    v.bind(source, standIn, routingKey, args);
  }

  /**
   * Deletes what the import was tried on, once it is planned: its queues' timers (x-expires) would otherwise
   * keep the scratch broker alive until they fire.
   */
  dispose(): void {
    for (const name of [...this.broker.vhosts.keys()]) this.broker.deleteVhost(name);
  }
}
