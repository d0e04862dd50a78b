import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { socketAddresses, type ConnectionAddresses } from '../../shared/proxy-protocol/addresses.js';
import { parseProxyHeader, ProxyHeaderError, type ProxyHeader } from '../../shared/proxy-protocol/parse.js';
import {
  AmqpError,
  CommandAssembler,
  decodeMethod,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  FRAME_MIN_SIZE,
  FrameParser,
  isTable,
  METHODS,
  Reader,
  ReplyCode,
  unexpectedFrame,
  unknownFrame,
  wellFormed,
  Writer,
  writeHeartbeat,
  writeMethodFrame,
  type FieldTable,
  type FrameSink,
  type Method,
} from '../../shared/amqp/index.js';
import type { Broker } from '../broker/broker.js';
import { checkChannelLimit, checkConnectionLimits } from '../broker/limits.js';
import type { Permission } from '../broker/permissions.js';
import type { Queue } from '../broker/queue.js';
import type { User } from '../broker/users.js';
import type { Vhost } from '../broker/vhost.js';
import type { NodeConfig } from '../config.js';
import { Channel } from './channel.js';
import { ReadGate } from './read-gate.js';
import type { ReplyConsumers } from './direct-reply-to.js';
import type { AlarmListener, ResourceAlarms } from './resource-alarms.js';
import { MECHANISMS, parseSaslResponse, refused } from './sasl.js';
import { serverProperties } from './server-properties.js';
import type { Tickable, Ticker } from './ticker.js';
import { negotiate } from './tune.js';

const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');
/** The AMQP 0-9 header, which RabbitMQ answers as 0-9-1 (the two are alike enough for every client). */
const PROTOCOL_HEADER_0_9 = Buffer.from('AMQP\x01\x01\x00\x09', 'latin1');
/** Above this many bytes queued on the socket, consumers on this connection stop receiving. */
const WRITE_HIGH_WATER = 1 << 20;
/**
 * How long a peer has to answer our connection.close before the socket is dropped; also how long a failed
 * handshake is held before the socket is closed, as RabbitMQ does to slow down password guessing.
 */
const CLOSE_GRACE_MS = 3000;
/** The read-gate cause of a resource alarm. */
const ALARM = {};

/** RabbitMQ's connection states where they exist (starting: awaiting start-ok, tuning: tune-ok, opening: open). */
type State = 'proxy-header' | 'protocol-header' | 'starting' | 'tuning' | 'opening' | 'running' | 'closing' | 'closed';

export interface ConnectionContext {
  readonly broker: Broker;
  readonly config: NodeConfig;
  readonly ticker: Ticker;
  readonly log: Logger;
  readonly connections: Set<AmqpConnection>;
  readonly alarms: ResourceAlarms;
  readonly replyConsumers: ReplyConsumers;
}

/**
 * One client connection: the handshake (protocol header, SASL, tune, open), frame dispatch to channels,
 * heartbeats, the close handshake, and the output buffer. Frames are parsed in place from socket chunks;
 * output is collected in a Writer and flushed once per event-loop turn with one corked write batch.
 * A protocol error on a channel closes that channel; a hard error closes the connection with the reply
 * code and the failing class/method, and nothing a client sends can disturb other connections.
 */
export class AmqpConnection implements FrameSink, Tickable, AlarmListener {
  readonly out = new Writer();
  readonly reader = new Reader();
  private readonly parser: FrameParser;
  private state: State;
  /** The bytes of a header (PROXY, then AMQP's) read so far. */
  private header = Buffer.alloc(0);
  private readonly channels = new Map<number, Channel>();
  readonly exclusiveQueues = new Set<Queue>();
  private flushQueued = false;
  private readonly flushNow = (): void => this.flush();
  private readonly openedAt = Date.now();
  private lastRead = Date.now();
  private lastWrite = Date.now();
  private closeDeadline = 0;
  /** Why the connection ended, for its one closing log line (RabbitMQ's wording where it has one). */
  private closeReason = 'client unexpectedly closed TCP connection';

  frameMax: number;
  channelMax: number;
  heartbeat = 0;
  writeBlocked = false;
  /** Has published at least once: only publishing connections are blocked by resource alarms. */
  private publisher = false;
  /** Why the socket is not read (alarms, deferred deduplication work); see ReadGate. */
  readonly gate: ReadGate;
  /** In wait mode, why the deduplication store is unavailable (channels waiting on it block us), or null. */
  dedupStoreDown: string | null;
  /** The client sent connection.close while channels still had deferred publishes: answered once they are done. */
  private closeRequested = false;
  user: User | null = null;
  vhost: Vhost | null = null;
  permission: Permission | null = null;
  clientProperties: FieldTable = {};
  /** The client and the address it reached: the socket's, or those a PROXY protocol header named. */
  addresses: ConnectionAddresses;
  readonly connectedAt = Date.now();
  recvOct = 0;
  sendOct = 0;
  /** Socket reads and writes (one per flushed batch), as RabbitMQ's recv_cnt / send_cnt count them. */
  recvCnt = 0;
  sendCnt = 0;
  /** The SASL mechanism the client logged in with. */
  authMechanism: string | null = null;

  constructor(
    readonly socket: Socket,
    readonly ctx: ConnectionContext,
  ) {
    this.frameMax = ctx.config.frameMax;
    this.channelMax = ctx.config.channelMax;
    // until tune-ok, frames are held to the protocol's minimum frame_max, as RabbitMQ does
    this.parser = new FrameParser(this, FRAME_MIN_SIZE);
    this.state = ctx.config.proxyProtocol ? 'proxy-header' : 'protocol-header';
    this.addresses = socketAddresses(socket);
    this.gate = new ReadGate(
      socket,
      (reason) => this.announceBlocked(reason),
      // the client's heartbeats waited unread: its silence while paused does not count
      () => (this.lastRead = Date.now()),
    );
    this.dedupStoreDown = ctx.config.dedupRedisUnavailable === 'wait' ? (ctx.broker.dedupStore?.availability.unavailable ?? null) : null;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (e) => (this.closeReason = `socket error: ${e.message}`));
    socket.on('close', () => this.teardown());
    ctx.connections.add(this);
    ctx.broker.churn.connectionCreated++;
    ctx.ticker.add(this);
  }

  /** RabbitMQ's connection name: client address and port -> the address and port it connected to. */
  get name(): string {
    const a = this.addresses;
    return `${a.srcAddress}:${a.srcPort} -> ${a.dstAddress}:${a.dstPort}`;
  }

  /** Capability the client advertised in its client-properties. */
  clientCapability(name: string): boolean {
    const caps = this.clientProperties['capabilities'];
    return isTable(caps) && caps[name] === true;
  }

  // ---- input -------------------------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    this.lastRead = Date.now();
    this.recvOct += chunk.length;
    this.recvCnt++;
    try {
      if (this.state === 'proxy-header') {
        chunk = this.readProxyHeader(chunk);
        if (chunk.length === 0) return;
      }
      if (this.state === 'protocol-header') {
        chunk = this.readProtocolHeader(chunk);
        if (chunk.length === 0) return;
      }
      if (this.state === 'closed') return;
      this.parser.push(chunk);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Takes the PROXY protocol header off the front; what follows it is the client's AMQP. */
  private readProxyHeader(chunk: Buffer): Buffer {
    this.header = Buffer.concat([this.header, chunk]);
    let h: ProxyHeader | null;
    try {
      h = parseProxyHeader(this.header);
    } catch (e) {
      if (!(e instanceof ProxyHeaderError)) throw e;
      // RabbitMQ closes such a connection without a word: the peer is not the proxy it expects
      this.closeReason = `invalid PROXY protocol header: ${e.message}`;
      this.state = 'closed';
      this.socket.destroy();
      return Buffer.alloc(0);
    }
    if (!h) return Buffer.alloc(0);
    if (h.addresses) this.addresses = h.addresses;
    const rest = this.header.subarray(h.length);
    this.header = Buffer.alloc(0);
    this.state = 'protocol-header';
    return rest;
  }

  private readProtocolHeader(chunk: Buffer): Buffer {
    const need = 8 - this.header.length;
    this.header = Buffer.concat([this.header, chunk.subarray(0, need)]);
    if (this.header.length < 8) return Buffer.alloc(0);
    if (!this.header.equals(PROTOCOL_HEADER) && !this.header.equals(PROTOCOL_HEADER_0_9)) {
      // Tell the peer which protocol we speak, then hang up (AMQP 0-9-1 §4.2.2).
      this.closeReason = `unsupported protocol header ${JSON.stringify(this.header.toString('latin1'))}`;
      this.state = 'closed';
      this.socket.end(PROTOCOL_HEADER);
      return Buffer.alloc(0);
    }
    this.state = 'starting';
    this.send(0, {
      name: 'connection.start',
      versionMajor: 0,
      versionMinor: 9,
      serverProperties: serverProperties(),
      mechanisms: Buffer.from(MECHANISMS),
      locales: Buffer.from('en_US'),
    });
    return chunk.subarray(need);
  }

  onFrame(type: number, channel: number, payload: Buffer): void {
    // after our connection.close only the peer's close-ok (or close) matters: RabbitMQ ignores all else
    if (this.state === 'closing') {
      if (type === FRAME_METHOD && channel === 0 && payload.length >= 4) this.onClosingMethod(payload);
      return;
    }
    if (channel === 0) return this.onConnectionFrame(type, payload);
    if (this.state !== 'running') throw unexpectedFrame(type, payload);
    if (!wellFormed(type, payload)) throw unknownFrame(type, payload);
    if (type === FRAME_HEARTBEAT) throw unexpectedFrame(type, payload);
    let ch = this.channels.get(channel);
    if (!ch) {
      // RabbitMQ limits how many channels are open, not their numbers
      if (this.channels.size >= this.channelMax) {
        throw new AmqpError(ReplyCode.NotAllowed, `number of channels opened (${this.channels.size}) has reached the negotiated channel_max (${this.channelMax})`);
      }
      checkChannelLimit(this.ctx.broker.userLimits, this.ctx.connections, this.user!.name);
      ch = new Channel(this, channel, new CommandAssembler(this.reader, this.ctx.config.maxMessageSize));
      this.channels.set(channel, ch);
      this.ctx.broker.churn.channelCreated++;
    }
    ch.onFrame(type, payload);
  }

  /** A method frame on channel 0 while closing; one that does not decode is ignored like any other frame. */
  private onClosingMethod(payload: Buffer): void {
    try {
      this.onConnectionFrame(FRAME_METHOD, payload);
    } catch {
      // nothing more is sent on a closing connection, and the rest of the input must still be read
    }
  }

  private onConnectionFrame(type: number, payload: Buffer): void {
    if (!wellFormed(type, payload)) throw unknownFrame(type, payload);
    if (type === FRAME_HEARTBEAT) return;
    if (type !== FRAME_METHOD) throw unexpectedFrame(type, payload);
    const m = decodeMethod(this.reader, payload);
    try {
      this.onConnectionMethod(m);
    } catch (e) {
      const { classId, methodId } = METHODS[m.name];
      throw e instanceof AmqpError ? e.at(classId, methodId) : e;
    }
  }

  /** A method on channel 0 (of any class), valid only in its state, as in RabbitMQ's rabbit_reader. */
  private onConnectionMethod(m: Method): void {
    if (this.state === 'closing') {
      if (m.name === 'connection.close-ok') this.socket.end();
      else if (m.name === 'connection.close') this.send(0, { name: 'connection.close-ok' });
      return;
    }
    switch (m.name) {
      case 'connection.start-ok':
        if (this.state === 'starting') return this.startOk(m.clientProperties, m.mechanism, m.response);
        break;
      case 'connection.tune-ok':
        if (this.state === 'tuning') return this.tuneOk(m.channelMax, m.frameMax, m.heartbeat);
        break;
      case 'connection.open':
        if (this.state === 'opening') return this.open(m.virtualHost);
        break;
      case 'connection.close':
        if (this.state !== 'running') break;
        this.closeReason = `client closed the connection: ${m.replyCode} ${m.replyText}`.trimEnd();
        // publishes sent before the close are routed first, even those waiting for Redis
        if (this.deferring) this.closeRequested = true;
        else this.closeOk();
        return;
      case 'connection.update-secret':
        if (this.state === 'running') return this.updateSecret(m.reason);
        break;
    }
    throw new AmqpError(ReplyCode.ChannelError, `unexpected method in connection state ${this.state}`);
  }

  private closeOk(): void {
    this.send(0, { name: 'connection.close-ok' });
    this.flush();
    this.state = 'closed';
    this.socket.end();
  }

  /** Some channel holds publishes that wait for the deduplication store. */
  private get deferring(): boolean {
    for (const ch of this.channels.values()) if (ch.backlog?.busy) return true;
    return false;
  }

  /** A channel's deferred work is done: a close the client asked for meanwhile can be answered. */
  backlogDrained(): void {
    if (this.closeRequested && this.state === 'running' && !this.deferring) this.closeOk();
  }

  // ---- handshake ---------------------------------------------------------------------------------

  private startOk(props: FieldTable, mechanism: string, response: Buffer): void {
    this.clientProperties = props;
    const creds = parseSaslResponse(mechanism, response);
    const user = this.ctx.broker.authenticate(creds.username, creds.password);
    const loopbackOnly = this.ctx.config.loopbackUsers.includes(creds.username);
    if (!user || (loopbackOnly && !isLoopback(this.addresses.srcAddress))) {
      this.ctx.log.warn({ conn: this.name, user: creds.username, mechanism }, 'login refused');
      throw refused(mechanism);
    }
    this.user = user;
    this.authMechanism = mechanism;
    this.state = 'tuning';
    this.send(0, { name: 'connection.tune', channelMax: this.ctx.config.channelMax, frameMax: this.ctx.config.frameMax, heartbeat: this.ctx.config.heartbeat });
  }

  private tuneOk(channelMax: number, frameMax: number, heartbeat: number): void {
    this.frameMax = this.parser.frameMax = negotiate('frame_max', FRAME_MIN_SIZE, this.ctx.config.frameMax, frameMax);
    this.channelMax = negotiate('channel_max', 1, this.ctx.config.channelMax, channelMax);
    this.heartbeat = heartbeat;
    this.state = 'opening';
  }

  private open(vhostName: string): void {
    const vhost = this.ctx.broker.vhosts.get(vhostName);
    if (!vhost) throw new AmqpError(ReplyCode.NotAllowed, `vhost ${vhostName} not found`);
    checkConnectionLimits(this.ctx.broker.userLimits, this.ctx.connections, vhost, this.user!.name);
    const permission = this.ctx.broker.permission(vhostName, this.user!.name);
    if (!permission) throw new AmqpError(ReplyCode.NotAllowed, `access to vhost '${vhostName}' refused for user '${this.user!.name}'`);
    this.vhost = vhost;
    this.permission = permission;
    this.state = 'running';
    this.send(0, { name: 'connection.open-ok', knownHosts: '' });
    this.ctx.log.info({ conn: this.name, user: this.user!.name, vhost: vhostName }, 'connection opened');
  }

  /**
   * RabbitMQ's internal user store has no credentials that expire: it accepts any new secret, checks
   * nothing and keeps the user, and says so in its log.
   */
  private updateSecret(reason: string): void {
    this.send(0, { name: 'connection.update-secret-ok' });
    this.ctx.log.info({ conn: this.name, user: this.user!.name, reason }, 'user updated secret');
  }

  // ---- output ------------------------------------------------------------------------------------

  send(channel: number, m: Method): void {
    writeMethodFrame(this.out, channel, m);
    this.scheduleFlush();
  }

  scheduleFlush(): void {
    if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flushNow);
    }
  }

  flush(): void {
    this.flushQueued = false;
    if (this.state === 'closed' && this.socket.destroyed) return;
    for (const ch of this.channels.values()) ch.beforeFlush();
    if (this.out.length === 0) return;
    const bufs = this.out.drain();
    this.lastWrite = Date.now();
    if (this.socket.destroyed || !this.socket.writable) return;
    this.sendCnt++;
    this.socket.cork();
    for (const b of bufs) {
      this.sendOct += b.length;
      this.socket.write(b);
    }
    this.socket.uncork();
    if (this.socket.writableLength > WRITE_HIGH_WATER) this.writeBlocked = true;
  }

  private onDrain(): void {
    if (!this.writeBlocked) return;
    this.writeBlocked = false;
    for (const ch of this.channels.values()) ch.resumeDeliveries();
  }

  // ---- resource alarms and the deduplication store ----------------------------------------------

  /** Called on every publish: the first one marks this a publisher, and blocks it if an alarm is on. */
  published(): void {
    this.publisher = true;
    if (this.ctx.alarms.active !== null) this.gate.hold(ALARM, this.ctx.alarms.active);
  }

  alarmChanged(reason: string | null): void {
    // stop reading: the publisher's frames wait in its socket buffer while our deliveries keep flowing
    if (reason !== null && this.publisher) this.gate.hold(ALARM, reason);
    else if (reason === null) this.gate.release(ALARM);
  }

  /** Publishes that need the deduplication store wait while it is unavailable (else they are rejected). */
  get waitsForDedupStore(): boolean {
    return this.ctx.config.dedupRedisUnavailable === 'wait';
  }

  /** Wait mode: the deduplication store became unavailable (why) or available again (null). */
  dedupStoreChanged(reason: string | null): void {
    this.dedupStoreDown = reason;
    for (const ch of this.channels.values()) ch.backlog?.update();
  }

  private announceBlocked(reason: string | null): void {
    if (!this.clientCapability('connection.blocked')) return;
    this.send(0, reason === null ? { name: 'connection.unblocked' } : { name: 'connection.blocked', reason });
  }

  // ---- errors and closing ------------------------------------------------------------------------

  /** Handles anything thrown while processing input: channel errors close the channel, others the connection. */
  fail(e: unknown, channel = 0): void {
    if (!(e instanceof AmqpError)) {
      this.ctx.log.error({ conn: this.name, err: e }, 'internal error');
      e = new AmqpError(ReplyCode.InternalError, (e as Error)?.message ?? String(e));
    }
    const err = e as AmqpError;
    const ch = this.channels.get(channel);
    if (!err.hard && ch) return ch.closeWithError(err);
    this.closeWithError(err);
  }

  closeWithError(err: AmqpError): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.closeReason = `${err.replyCode} ${err.replyText}`;
    if (this.state === 'proxy-header' || this.state === 'protocol-header') {
      this.socket.destroy();
      return;
    }
    const handshake = this.state === 'starting' || this.state === 'tuning';
    if (!handshake || this.answersInHandshake(err)) {
      this.send(0, { name: 'connection.close', replyCode: err.replyCode, replyText: err.replyText, classId: err.classId, methodId: err.methodId });
      this.flush();
    }
    // a failed handshake is held unread until the deadline, as RabbitMQ holds it against password guessing
    this.state = handshake ? 'closed' : 'closing';
    this.closeDeadline = Date.now() + CLOSE_GRACE_MS;
    this.closeChannels();
  }

  /** Before tune-ok RabbitMQ tells only of a refused login (to a client that asked) and, here, of a failed tune. */
  private answersInHandshake(err: AmqpError): boolean {
    if (err.replyCode === ReplyCode.AccessRefused) return this.clientCapability('authentication_failure_close');
    return this.state === 'tuning' && err.replyCode === ReplyCode.NotAllowed;
  }

  /** Server-initiated close (shutdown, operator): 320 CONNECTION_FORCED. */
  forceClose(reason: string): void {
    this.closeWithError(new AmqpError(ReplyCode.ConnectionForced, reason));
  }

  get channelList(): Iterable<Channel> {
    return this.channels.values();
  }

  get channelCount(): number {
    return this.channels.size;
  }

  get blockedReason(): string | null {
    return this.gate.reason;
  }

  get stateName(): string {
    if (this.gate.reason !== null) return 'blocked';
    return this.gate.paused && this.state === 'running' ? 'flow' : this.state;
  }

  channelClosed(id: number): void {
    const ch = this.channels.get(id);
    if (!ch) return;
    this.channels.delete(id);
    this.retire(ch);
  }

  /** Every channel goes with the connection; what they counted stays in the node's totals. */
  private closeChannels(): void {
    for (const ch of [...this.channels.values()]) {
      ch.teardown();
      this.retire(ch);
    }
    this.channels.clear();
  }

  /** A channel has closed: counted as closed, its counters added to what closed channels had counted. */
  private retire(ch: Channel): void {
    this.ctx.broker.churn.channelClosed++;
    this.ctx.broker.closed.channel(ch.vhost, ch.stats);
  }

  tick(now: number): void {
    if (this.closeDeadline !== 0) {
      if (now >= this.closeDeadline) this.socket.destroy();
      return;
    }
    if (this.state !== 'running' && now - this.openedAt > this.ctx.config.handshakeTimeout) {
      this.closeReason = 'handshake timeout';
      return void this.socket.destroy();
    }
    if (this.state !== 'running') return;
    for (const ch of this.channels.values()) ch.tick(now);
    if (this.heartbeat === 0) return;
    const hb = this.heartbeat * 1000;
    // while paused we are not reading, so the client's heartbeats cannot count (RabbitMQ pauses it too)
    if (!this.gate.paused && now - this.lastRead > 2 * hb) {
      this.closeReason = `missed heartbeats from client, timeout: ${this.heartbeat}s`;
      return void this.socket.destroy();
    }
    if (now - this.lastWrite >= hb / 2) {
      writeHeartbeat(this.out);
      this.flush();
    }
  }

  private teardown(): void {
    if (!this.ctx.connections.delete(this)) return;
    this.state = 'closed';
    this.ctx.broker.churn.connectionClosed++;
    this.ctx.ticker.delete(this);
    this.ctx.broker.closed.connection(this);
    this.closeChannels();
    for (const q of this.exclusiveQueues) this.vhost?.removeQueue(q);
    this.exclusiveQueues.clear();
    // a client that sent nothing (a port probe, a TCP health check) is only worth a debug line
    const level = this.recvOct > 0 ? 'info' : 'debug';
    this.ctx.log[level]({ conn: this.name, user: this.user?.name, vhost: this.vhost?.name, reason: this.closeReason }, 'connection closed');
  }
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
