import {
  AmqpError,
  FRAME_HEADER,
  FRAME_METHOD,
  METHODS,
  ReplyCode,
  writeContent,
  writeMethodFrame,
  type Command,
  type CommandAssembler,
  type Method,
} from '../../shared/amqp/index.js';
import type { Message } from '../broker/message.js';
import type { Access } from '../broker/permissions.js';
import type { Queue, QueueEntry } from '../broker/queue.js';
import { MessageCounters } from '../broker/stats.js';
import type { Vhost } from '../broker/vhost.js';
import { basicAck, basicGet, basicNack, basicRecover, basicReject, requeueAll } from './basic-ack.js';
import { basicCancel, basicConsume, basicQos } from './basic-consume.js';
import { basicPublish, type Prefetch } from './basic-publish.js';
import { ChannelBacklog } from './channel-backlog.js';
import type { ChannelConsumer } from './channel-consumer.js';
import { Confirms } from './confirms.js';
import type { AmqpConnection } from './connection.js';
import { stopReplies, type ReplyConsumer } from './direct-reply-to.js';
import { exchangeBind, exchangeDeclare, exchangeDelete, exchangeUnbind } from './exchange-methods.js';
import { queueBind, queueDeclare, queueDelete, queuePurge, queueUnbind } from './queue-methods.js';
import { txCommit, txRollback, txSelect, type Transaction } from './tx.js';
import { Unacked } from './unacked.js';

type State = 'new' | 'open' | 'closing';

/**
 * One AMQP channel: method dispatch (handlers live in files named after their class), consumers, unacked
 * deliveries, confirms and transactions. The channel sees whole commands, never frames. A channel error
 * sends channel.close and ignores everything but close/close-ok until the client answers.
 */
export class Channel {
  private state: State = 'new';
  readonly unacked = new Unacked();
  readonly consumers = new Map<string, ChannelConsumer>();
  /** The channel's consumer of direct replies (amq.rabbitmq.reply-to), if it has one. */
  replyConsumer: ReplyConsumer | null = null;
  confirms: Confirms | null = null;
  tx: Transaction | null = null;
  /** basic.qos global=false: prefetch given to consumers created afterwards. */
  consumerPrefetch = 0;
  /** basic.qos global=true: limit shared by all consumers of the channel. */
  channelPrefetch = 0;
  /** Last queue declared on this channel, used when a method names the queue ''. */
  lastQueue: string | null = null;
  readonly stats = new MessageCounters();
  /** Commands held behind a publish that waits for Redis; made on first need. */
  backlog: ChannelBacklog | null = null;

  constructor(
    readonly conn: AmqpConnection,
    readonly id: number,
    private readonly assembler: CommandAssembler,
  ) {}

  get vhost(): Vhost {
    return this.conn.vhost!;
  }

  onFrame(type: number, payload: Buffer): void {
    if (this.state === 'closing') return this.whileClosing(type, payload);
    try {
      const cmd =
        type === FRAME_METHOD ? this.assembler.onMethod(payload) : type === FRAME_HEADER ? this.assembler.onHeader(payload) : this.assembler.onBody(payload);
      if (this.state === 'new' && (cmd === null || cmd.method.name !== 'channel.open')) {
        throw new AmqpError(ReplyCode.ChannelError, "expected 'channel.open'");
      }
      if (cmd) this.onCommand(cmd);
    } catch (e) {
      // a method that failed to decode (or came before channel.open) is still named in the close
      const named = e instanceof AmqpError && type === FRAME_METHOD && payload.length >= 4 ? e.at(payload.readUInt16BE(0), payload.readUInt16BE(2)) : e;
      this.conn.fail(named, this.id);
    }
  }

  /** After we sent channel.close: only the client's close-ok (or its own close) matters. */
  private whileClosing(type: number, payload: Buffer): void {
    if (type !== FRAME_METHOD) return;
    const id = payload.readUInt32BE(0);
    if (id === ((20 << 16) | 41) || id === ((20 << 16) | 40)) {
      if (id === ((20 << 16) | 40)) this.send({ name: 'channel.close-ok' });
      this.conn.channelClosed(this.id);
    }
  }

  private onCommand(cmd: Command): void {
    if (this.backlog?.busy) return this.backlog.push(cmd);
    this.run(cmd, null);
  }

  /** Runs one command: as it arrives, or in its turn from the backlog (with what it prefetched). */
  run(cmd: Command, pre: Prefetch | null): void {
    const m = cmd.method;
    try {
      this.dispatch(m, cmd, pre);
    } catch (e) {
      if (!(e instanceof AmqpError)) throw e;
      const info = METHODS[m.name];
      throw e.at(info.classId, info.methodId);
    }
  }

  /** The backlog, made if this channel has none yet. */
  deferred(): ChannelBacklog {
    return (this.backlog ??= new ChannelBacklog(this));
  }

  private dispatch(m: Method, cmd: Command, pre: Prefetch | null): void {
    switch (m.name) {
      case 'basic.publish':
        return basicPublish(this, m, cmd.properties!, cmd.body!, pre);
      case 'basic.ack':
        return basicAck(this, m);
      case 'basic.nack':
        return basicNack(this, m);
      case 'basic.reject':
        return basicReject(this, m);
      case 'basic.get':
        return basicGet(this, m);
      case 'basic.qos':
        return basicQos(this, m);
      case 'basic.consume':
        return basicConsume(this, m);
      case 'basic.cancel':
        return basicCancel(this, m);
      case 'basic.recover':
      case 'basic.recover-async':
        return basicRecover(this, m);
      case 'exchange.declare':
        return exchangeDeclare(this, m);
      case 'exchange.delete':
        return exchangeDelete(this, m);
      case 'exchange.bind':
        return exchangeBind(this, m);
      case 'exchange.unbind':
        return exchangeUnbind(this, m);
      case 'queue.declare':
        return queueDeclare(this, m);
      case 'queue.bind':
        return queueBind(this, m);
      case 'queue.unbind':
        return queueUnbind(this, m);
      case 'queue.purge':
        return queuePurge(this, m);
      case 'queue.delete':
        return queueDelete(this, m);
      case 'confirm.select':
        if (this.tx) throw new AmqpError(ReplyCode.PreconditionFailed, 'cannot switch from tx to confirm mode');
        this.confirms ??= new Confirms();
        if (!m.nowait) this.send({ name: 'confirm.select-ok' });
        return;
      case 'tx.select':
        return txSelect(this);
      case 'tx.commit':
        return txCommit(this);
      case 'tx.rollback':
        return txRollback(this);
      case 'channel.open':
        if (this.state !== 'new') throw new AmqpError(ReplyCode.ChannelError, "second 'channel.open' seen");
        this.state = 'open';
        return this.send({ name: 'channel.open-ok', channelId: Buffer.alloc(0) });
      case 'channel.flow':
        // RabbitMQ 3.x no longer honours flow(active=false) from clients; refuse it the same way.
        if (!m.active) throw new AmqpError(ReplyCode.NotImplemented, 'active=false');
        return this.send({ name: 'channel.flow-ok', active: true });
      case 'channel.close':
        this.teardown();
        this.send({ name: 'channel.close-ok' });
        this.conn.channelClosed(this.id);
        return;
      case 'access.request':
        return this.send({ name: 'access.request-ok', ticket: 1 });
      default:
        // connection methods, replies only a server sends, and a close-ok for a close we never sent
        throw new AmqpError(ReplyCode.CommandInvalid, 'unimplemented method');
    }
  }

  send(m: Method): void {
    this.conn.send(this.id, m);
  }

  /** Throws 403 unless the connection's user has this access to the named resource. */
  authorize(access: Access, kind: 'queue' | 'exchange', name: string): void {
    this.conn.permission!.authorize(access, kind, name, this.vhost.name, this.conn.user!.name);
  }

  /** The queue a method names, '' meaning the last one declared on this channel. */
  queueName(name: string): string {
    if (name !== '') return name;
    if (this.lastQueue === null) throw new AmqpError(ReplyCode.NotFound, 'no previously declared queue');
    return this.lastQueue;
  }

  // ---- deliveries --------------------------------------------------------------------------------

  canDeliver(c: ChannelConsumer): boolean {
    if (this.conn.writeBlocked || this.state !== 'open') return false;
    if (c.noAck) return true;
    if (c.prefetch !== 0 && c.unacked >= c.prefetch) return false;
    return this.channelPrefetch === 0 || this.unacked.size < this.channelPrefetch;
  }

  deliver(c: ChannelConsumer, queue: Queue, entry: QueueEntry, msg: Message, redelivered: boolean): void {
    const tag = c.noAck ? ++this.unacked.lastTag : this.unacked.add(queue, entry, c);
    if (c.noAck) this.stats.deliverNoAck++;
    else this.stats.deliver++;
    if (redelivered) this.stats.redeliver++;
    this.writeDelivery(c.tag, tag, redelivered, msg);
  }

  /** A direct reply to this channel's reply consumer; false once the channel no longer takes them. */
  deliverReply(msg: Message): boolean {
    if (this.state !== 'open' || !this.replyConsumer) return false;
    this.stats.deliverNoAck++;
    this.writeDelivery(this.replyConsumer.tag, ++this.unacked.lastTag, false, msg);
    return true;
  }

  private writeDelivery(consumerTag: string, deliveryTag: number, redelivered: boolean, msg: Message): void {
    const out = this.conn.out;
    writeMethodFrame(out, this.id, { name: 'basic.deliver', consumerTag, deliveryTag, redelivered, exchange: msg.exchange, routingKey: msg.routingKey });
    writeContent(out, this.id, msg.rawProperties, msg.body, this.conn.frameMax);
    this.conn.scheduleFlush();
  }

  /** Prefetch credit or socket room came back: let the queues we consume from deliver again. */
  resumeDeliveries(): void {
    for (const c of this.consumers.values()) c.queue.dispatch();
  }

  consumerCancelledByServer(c: ChannelConsumer): void {
    this.consumers.delete(c.tag);
    if (this.state === 'open' && this.conn.clientCapability('consumer_cancel_notify')) {
      this.send({ name: 'basic.cancel', consumerTag: c.tag, nowait: true });
    }
  }

  /**
   * RabbitMQ's consumer timeout: a delivery left unacknowledged longer than `consumerTimeout` closes the
   * channel with 406, so its messages go back to the queue for other consumers.
   */
  tick(now: number): void {
    const limit = this.conn.ctx.config.consumerTimeout;
    const oldest = this.unacked.oldest;
    if (limit === 0 || oldest === 0 || this.state !== 'open' || now - oldest <= limit) return;
    this.closeWithError(
      new AmqpError(
        ReplyCode.PreconditionFailed,
        `delivery acknowledgement on channel ${this.id} timed out. Timeout value used: ${limit} ms. This timeout value can be configured, see consumers doc guide to learn more`,
      ),
    );
  }

  /** Called by the connection just before it writes: confirms go out batched, in order. */
  beforeFlush(): void {
    if (this.confirms?.pending) this.confirms.drain((m) => writeMethodFrame(this.conn.out, this.id, m));
  }

  // ---- closing -----------------------------------------------------------------------------------

  closeWithError(err: AmqpError): void {
    if (this.state === 'closing') return;
    this.teardown();
    this.state = 'closing';
    this.send({ name: 'channel.close', replyCode: err.replyCode, replyText: err.replyText, classId: err.classId, methodId: err.methodId });
  }

  /**
   * Releases everything the channel holds. It stops taking deliveries first, then puts its unacked
   * messages back in order, then detaches its consumers: so the next consumer (e.g. a single active
   * consumer taking over) sees the returned messages ahead of newer ones, as RabbitMQ delivers them.
   */
  teardown(): void {
    this.backlog?.abandon();
    this.assembler.reset();
    // publishes handled before the close are still confirmed, ahead of the close frames
    this.beforeFlush();
    this.confirms = null;
    this.state = 'closing';
    this.tx = null;
    requeueAll(this);
    stopReplies(this);
    const consumers = [...this.consumers.values()];
    this.consumers.clear();
    for (const c of consumers) c.queue.removeConsumer(c);
  }
}
