import { connect, type Socket } from 'node:net';
import { decodeMethodArgs, FRAME_METHOD, Reader, writeMethodFrame, Writer, type Method, type MethodName } from '../../shared/amqp/index.js';
import { now } from './clock.js';
import { FrameScanner } from './frame-scanner.js';

export interface ConnectParams {
  host: string;
  port: number;
  user: string;
  pass: string;
  vhost: string;
}

/** Sees the payload buf[start, end) of every frame first; returns true when it consumed the frame. */
export type FastPath = (type: number, channel: number, buf: Buffer, start: number, end: number) => boolean;

const PROTOCOL_HEADER = Buffer.from([65, 77, 81, 80, 0, 0, 9, 1]);
const FRAME_MAX = 131072;
/**
 * Every socket of this thread reads into this one buffer (net's `onread`), instead of Node allocating a
 * fresh 64 KB buffer per read: those allocations and their page faults cost the consumer more than parsing.
 * Safe because a chunk is parsed completely before the next read, and the scanner copies any partial frame.
 */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

interface Waiter {
  expect: MethodName;
  resolve: (m: Method) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A minimal AMQP 0-9-1 client on Warren's codec, for load generation. Frames are parsed in place from the
 * socket chunk (FrameScanner, by offset); a `fast` hook sees every frame first so producers and consumers
 * handle acks and deliveries without decoding them into objects. Everything else (handshake and setup
 * replies) is decoded and handed to the one pending `rpc`. Output goes through one Writer and leaves in one
 * socket write per flush; bytes written while a chunk is parsed (acks) are flushed once it is done.
 */
export class AmqpClient {
  readonly w = new Writer();
  frameMax = FRAME_MAX;
  fast: FastPath | null = null;
  /** Why the connection ended, once it has. */
  error: string | null = null;
  closed = false;
  blockedEvents = 0;
  returned = 0;
  onClosed: (() => void) | null = null;
  /** When the socket chunk being parsed arrived (one clock read per chunk, not per frame). */
  receivedAt = 0;
  private closing = false;
  private readonly parser = new FrameScanner((t, c, b, s, e) => this.onFrame(t, c, b, s, e), FRAME_MAX);
  private readonly reader = new Reader();
  private waiter: Waiter | null = null;

  private constructor(readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('error', (e) => this.fail(e.message));
    socket.on('close', () => this.fail('connection closed by broker'));
  }

  private onData(buf: Buffer, n: number): void {
    this.receivedAt = now();
    try {
      this.parser.push(buf, n);
    } catch (e) {
      this.fail(`bad frame from broker: ${(e as Error).message}`);
      return;
    }
    if (this.w.length > 0) this.flush();
  }

  /** Connects, logs in with PLAIN and opens channel 1. */
  static async open(p: ConnectParams, timeoutMs = 10_000): Promise<AmqpClient> {
    let client: AmqpClient | null = null;
    const onread = {
      buffer: READ_BUFFER,
      callback: (n: number, buf: Uint8Array): boolean => {
        client?.onData(buf as Buffer, n);
        return true;
      },
    };
    const socket = connect({ host: p.host, port: p.port, onread });
    const c = (client = new AmqpClient(socket));
    const deadline = setTimeout(() => c.fail(`handshake with ${p.host}:${p.port} took over ${timeoutMs} ms`), timeoutMs);
    try {
      const started = c.expect('connection.start', timeoutMs);
      socket.write(PROTOCOL_HEADER);
      await started;
      const tune = (await c.rpc(0, startOk(p), 'connection.tune', timeoutMs)) as Method & { name: 'connection.tune' };
      c.frameMax = tune.frameMax === 0 ? FRAME_MAX : Math.min(tune.frameMax, FRAME_MAX);
      c.parser.frameMax = c.frameMax;
      c.send(0, { name: 'connection.tune-ok', channelMax: tune.channelMax || 2047, frameMax: c.frameMax, heartbeat: 0 });
      await c.rpc(0, { name: 'connection.open', virtualHost: p.vhost, capabilities: '', insist: false }, 'connection.open-ok', timeoutMs);
      await c.rpc(1, { name: 'channel.open', outOfBand: '' }, 'channel.open-ok', timeoutMs);
      return c;
    } catch (e) {
      socket.destroy();
      throw e;
    } finally {
      clearTimeout(deadline);
    }
  }

  private onFrame(type: number, channel: number, buf: Buffer, start: number, end: number): void {
    if (this.fast !== null && this.fast(type, channel, buf, start, end)) return;
    if (type !== FRAME_METHOD) return; // heartbeats, returned content
    const r = this.reader.reset(buf, start, end);
    const m = decodeMethodArgs(r, r.u16(), r.u16());
    switch (m.name) {
      case 'connection.close':
        this.send(0, { name: 'connection.close-ok' });
        this.flush();
        return this.fail(`connection.close ${m.replyCode} ${m.replyText}`);
      case 'channel.close':
        this.send(channel, { name: 'channel.close-ok' });
        return this.fail(`channel.close ${m.replyCode} ${m.replyText}`);
      case 'connection.blocked':
        this.blockedEvents++;
        return;
      case 'basic.return':
        this.returned++;
        return;
      case 'connection.unblocked':
      case 'basic.cancel':
        return;
    }
    const w = this.waiter;
    if (w === null) return;
    this.waiter = null;
    clearTimeout(w.timer);
    if (m.name === w.expect) w.resolve(m);
    else w.reject(new Error(`expected ${w.expect}, got ${m.name}`));
  }

  /** Encodes a method into the output buffer (flushed by `flush`, or after the current socket chunk). */
  send(channel: number, m: Method): void {
    writeMethodFrame(this.w, channel, m);
  }

  /** Hands everything encoded so far to the socket in one go; false when the socket wants a 'drain'. */
  flush(): boolean {
    const parts = this.w.drain();
    if (this.closed || parts.length === 0) return !this.closed;
    if (parts.length === 1) return this.socket.write(parts[0]!);
    this.socket.cork();
    let ok = true;
    for (const p of parts) ok = this.socket.write(p);
    this.socket.uncork();
    return ok;
  }

  rpc(channel: number, m: Method, expect: MethodName, timeoutMs = 30_000): Promise<Method> {
    const p = this.expect(expect, timeoutMs);
    this.send(channel, m);
    this.flush();
    return p;
  }

  /** Graceful close (bounded), then the socket is destroyed either way. */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    try {
      await this.rpc(0, { name: 'connection.close', replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 }, 'connection.close-ok', timeoutMs);
    } catch {
      // the broker went away or is slow: destroying the socket is all that is left to do
    }
    this.closed = true;
    this.socket.destroy();
  }

  private expect(name: MethodName, timeoutMs: number): Promise<Method> {
    if (this.closed) return Promise.reject(new Error(this.error ?? 'connection closed'));
    if (this.waiter !== null) return Promise.reject(new Error(`rpc ${name} while ${this.waiter.expect} is pending`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = { expect: name, resolve, reject, timer };
    });
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.closing) this.error = reason;
    this.socket.destroy();
    const w = this.waiter;
    this.waiter = null;
    if (w) {
      clearTimeout(w.timer);
      w.reject(new Error(reason));
    }
    this.onClosed?.();
  }
}

function startOk(p: ConnectParams): Method {
  return {
    name: 'connection.start-ok',
    clientProperties: {
      product: 'warren-perf',
      capabilities: { publisher_confirms: true, 'connection.blocked': true, 'basic.nack': true, consumer_cancel_notify: true },
    },
    mechanism: 'PLAIN',
    response: Buffer.from(`\0${p.user}\0${p.pass}`),
    locale: 'en_US',
  };
}
