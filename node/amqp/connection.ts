import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { socketAddresses, type ConnectionAddresses } from '../../shared/proxy-protocol/addresses.js';
import { parseProxyHeader, ProxyHeaderError, type ProxyHeader } from '../../shared/proxy-protocol/parse.js';
import {
  AmqpError,
  CommandAssembler,
  decodeMethodArgs,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  FRAME_MIN_SIZE,
  FrameParser,
  isTable,
  Reader,
  ReplyCode,
  Writer,
  writeHeartbeat,
  writeMethodFrame,
  type FieldTable,
  type FrameSink,
  type Method,
} from '../../shared/amqp/index.js';
import type { Broker } from '../broker/broker.js';
import type { Permission } from '../broker/permissions.js';
import type { Queue } from '../broker/queue.js';
import type { User } from '../broker/users.js';
import type { Vhost } from '../broker/vhost.js';
import type { NodeConfig } from '../config.js';
import { Channel } from './channel.js';
import { ReadGate } from './read-gate.js';
import type { AlarmListener, ResourceAlarms } from './resource-alarms.js';
import { MECHANISMS, parseSaslResponse, refused } from './sasl.js';
import { serverProperties } from './server-properties.js';
import type { Tickable, Ticker } from './ticker.js';

const PROTOCOL_HEADER = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');
/** Above this many bytes queued on the socket, consumers on this connection stop receiving. */
const WRITE_HIGH_WATER = 1 << 20;
/** How long a peer has to answer our connection.close before the socket is dropped. */
const CLOSE_GRACE_MS = 3000;
/** The read-gate cause of a resource alarm. */
const ALARM = {};

type State = 'proxy-header' | 'protocol-header' | 'start-ok' | 'tune-ok' | 'open' | 'running' | 'closing' | 'closed';

export interface ConnectionContext {
  readonly broker: Broker;
  readonly config: NodeConfig;
  readonly ticker: Ticker;
  readonly log: Logger;
  readonly connections: Set<AmqpConnection>;
  readonly alarms: ResourceAlarms;
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
    this.parser = new FrameParser(this, ctx.config.frameMax);
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
    if (!this.header.equals(PROTOCOL_HEADER)) {
      // Tell the peer which protocol we speak, then hang up (AMQP 0-9-1 §4.2.2).
      this.closeReason = `unsupported protocol header ${JSON.stringify(this.header.toString('latin1'))}`;
      this.state = 'closed';
      this.socket.end(PROTOCOL_HEADER);
      return Buffer.alloc(0);
    }
    this.state = 'start-ok';
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
      if (type === FRAME_METHOD && channel === 0) this.onClosingMethod(payload);
      return;
    }
    if (type === FRAME_HEARTBEAT) {
      if (channel !== 0) throw new AmqpError(ReplyCode.UnexpectedFrame, `heartbeat frame on channel ${channel}`);
      return;
    }
    if (channel === 0) return this.onConnectionFrame(type, payload);
    if (this.state !== 'running') throw new AmqpError(ReplyCode.UnexpectedFrame, `channel frame on channel ${channel} before connection.open`);
    if (channel > this.channelMax) {
      throw new AmqpError(ReplyCode.ChannelError, `channel number ${channel} exceeds the negotiated channel_max ${this.channelMax}`);
    }
    let ch = this.channels.get(channel);
    if (!ch) {
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
    if (type !== FRAME_METHOD) throw new AmqpError(ReplyCode.UnexpectedFrame, `content frame on channel 0`);
    const r = this.reader.reset(payload);
    const classId = r.u16();
    const methodId = r.u16();
    try {
      const m = decodeMethodArgs(r, classId, methodId);
      if (classId !== 10) throw new AmqpError(ReplyCode.ChannelError, `expected a connection method on channel 0, got '${m.name}'`);
      this.onConnectionMethod(m);
    } catch (e) {
      throw e instanceof AmqpError ? e.at(classId, methodId) : e;
    }
  }

  private onConnectionMethod(m: Method): void {
    if (this.state === 'closing') {
      if (m.name === 'connection.close-ok') this.socket.end();
      else if (m.name === 'connection.close') this.send(0, { name: 'connection.close-ok' });
      return;
    }
    switch (m.name) {
      case 'connection.start-ok':
        return this.expect('start-ok', m.name, () => this.startOk(m.clientProperties, m.mechanism, m.response));
      case 'connection.tune-ok':
        return this.expect('tune-ok', m.name, () => this.tuneOk(m.channelMax, m.frameMax, m.heartbeat));
      case 'connection.open':
        return this.expect('open', m.name, () => this.open(m.virtualHost));
      case 'connection.close':
        this.closeReason = `client closed the connection: ${m.replyCode} ${m.replyText}`.trimEnd();
        // publishes sent before the close are routed first, even those waiting for Redis
        if (this.deferring) this.closeRequested = true;
        else this.closeOk();
        return;
      case 'connection.close-ok':
        this.socket.end();
        return;
      case 'connection.update-secret':
        return this.expect('running', m.name, () => this.updateSecret(m.newSecret));
      case 'connection.blocked':
      case 'connection.unblocked':
        return; // notifications a client may send us too; nothing to do
      default:
        throw new AmqpError(ReplyCode.CommandInvalid, `'${m.name}' is not valid from a client`);
    }
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

  private expect(state: State, name: string, fn: () => void): void {
    if (this.state !== state) throw new AmqpError(ReplyCode.CommandInvalid, `unexpected '${name}' during the handshake`);
    fn();
  }

  // ---- handshake ---------------------------------------------------------------------------------

  private startOk(props: FieldTable, mechanism: string, response: Buffer): void {
    this.clientProperties = props;
    const creds = parseSaslResponse(mechanism, response);
    const user = this.ctx.broker.authenticate(creds.username, creds.password);
    const loopbackOnly = this.ctx.config.loopbackUsers.includes(creds.username);
    if (!user || (loopbackOnly && !isLoopback(this.addresses.srcAddress))) {
      this.closeReason = `login refused for user '${creds.username}' (${mechanism})`;
      this.ctx.log.warn({ conn: this.name, user: creds.username, mechanism }, 'login refused');
      if (this.clientCapability('authentication_failure_close')) throw refused(mechanism);
      this.state = 'closed';
      this.socket.destroy();
      return;
    }
    this.user = user;
    this.authMechanism = mechanism;
    this.state = 'tune-ok';
    this.send(0, { name: 'connection.tune', channelMax: this.ctx.config.channelMax, frameMax: this.ctx.config.frameMax, heartbeat: this.ctx.config.heartbeat });
  }

  private tuneOk(channelMax: number, frameMax: number, heartbeat: number): void {
    const cfg = this.ctx.config;
    if (frameMax !== 0 && frameMax < FRAME_MIN_SIZE) throw new AmqpError(ReplyCode.NotAllowed, `frame_max=${frameMax} < ${FRAME_MIN_SIZE} min size`);
    if (frameMax > cfg.frameMax) throw new AmqpError(ReplyCode.NotAllowed, `frame_max=${frameMax} > ${cfg.frameMax} max size`);
    if (channelMax > cfg.channelMax) throw new AmqpError(ReplyCode.NotAllowed, `channel_max=${channelMax} > ${cfg.channelMax} max`);
    this.frameMax = frameMax === 0 ? cfg.frameMax : frameMax;
    this.parser.frameMax = this.frameMax;
    this.channelMax = channelMax === 0 ? cfg.channelMax : channelMax;
    this.heartbeat = heartbeat;
    this.state = 'open';
  }

  private open(vhostName: string): void {
    const vhost = this.ctx.broker.vhosts.get(vhostName);
    if (!vhost) throw new AmqpError(ReplyCode.NotAllowed, `vhost ${vhostName} not found`);
    const permission = this.ctx.broker.permission(vhostName, this.user!.name);
    if (!permission) throw new AmqpError(ReplyCode.NotAllowed, `access to vhost '${vhostName}' refused for user '${this.user!.name}'`);
    this.vhost = vhost;
    this.permission = permission;
    this.state = 'running';
    this.send(0, { name: 'connection.open-ok', knownHosts: '' });
    this.ctx.log.info({ conn: this.name, user: this.user!.name, vhost: vhostName }, 'connection opened');
  }

  private updateSecret(secret: Buffer): void {
    // With the internal user store the secret is the user's password: accept it only if it still verifies.
    if (!this.ctx.broker.authenticate(this.user!.name, secret.toString('utf8'))) {
      throw new AmqpError(ReplyCode.NotAllowed, 'new secret was refused');
    }
    this.send(0, { name: 'connection.update-secret-ok' });
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
    this.send(0, { name: 'connection.close', replyCode: err.replyCode, replyText: err.replyText, classId: err.classId, methodId: err.methodId });
    this.flush();
    this.state = 'closing';
    this.parser.acceptUnknownTypes = true;
    this.closeDeadline = Date.now() + CLOSE_GRACE_MS;
    for (const ch of [...this.channels.values()]) ch.teardown();
    this.channels.clear();
  }

  /** Server-initiated close (shutdown, operator): 320 CONNECTION_FORCED. */
  forceClose(reason: string): void {
    this.closeWithError(new AmqpError(ReplyCode.ConnectionForced, reason));
  }

  get channelList(): Iterable<Channel> {
    return this.channels.values();
  }

  get blockedReason(): string | null {
    return this.gate.reason;
  }

  get stateName(): string {
    if (this.gate.reason !== null) return 'blocked';
    return this.gate.paused && this.state === 'running' ? 'flow' : this.state;
  }

  channelClosed(id: number): void {
    if (this.channels.delete(id)) this.ctx.broker.churn.channelClosed++;
  }

  tick(now: number): void {
    if (this.state === 'closing' && now >= this.closeDeadline) return void this.socket.destroy();
    if (this.state !== 'running' && this.state !== 'closing' && now - this.openedAt > this.ctx.config.handshakeTimeout) {
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
    this.ctx.broker.churn.channelClosed += this.channels.size;
    for (const ch of this.channels.values()) ch.teardown();
    this.channels.clear();
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
