import { FRAME_BODY, FRAME_HEADER, FRAME_METHOD } from '../../shared/amqp/index.js';
import type { AmqpClient } from './client.js';
import { now } from './clock.js';
import { queueName, type PerfOptions } from './options.js';
import { MAGIC } from './producer.js';
import type { Stats, Window } from './stats.js';

const enum State {
  Method,
  Header,
  Body,
}
const TICK_MS = 100;

/**
 * One consuming connection. Deliveries are read in place: the delivery tag from the deliver frame, the size
 * from the content header, the send time and magic from the first 16 body bytes; nothing is decoded into
 * objects. Manual acks are `multiple` every --ack-every deliveries, written into the client's Writer and
 * flushed once per socket chunk. Stops after the window once idle for --idle-ms, or --drain-max later.
 */
export class Consumer {
  private state = State.Method;
  private tag = 0;
  private redelivered = false;
  private bodySize = 0;
  private got = 0;
  private sentAt = 0;
  private magicOk = false;
  private unacked = 0;
  private lastTag = 0;
  private lastActivity = 0;
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private finishResolve: () => void = () => {};
  readonly done: Promise<void>;

  constructor(
    private readonly client: AmqpClient,
    private readonly o: PerfOptions,
    private readonly id: number,
    private readonly stats: Stats,
    private readonly win: Window,
  ) {
    this.done = new Promise((r) => (this.finishResolve = r));
    client.fast = this.onFrame;
    client.onClosed = () => {
      if (client.error) stats.error(`consumer ${id}`, client.error);
      this.finish();
    };
  }

  async prepare(): Promise<void> {
    if (this.o.prefetch > 0) {
      await this.client.rpc(1, { name: 'basic.qos', prefetchSize: 0, prefetchCount: this.o.prefetch, global: false }, 'basic.qos-ok');
    }
    if (!this.o.consumeOnly) await this.consume();
  }

  start(): void {
    this.lastActivity = now();
    if (this.o.consumeOnly) {
      setTimeout(() => {
        this.lastActivity = now();
        this.consume().catch((e: Error) => {
          this.stats.error(`consumer ${this.id}`, e.message);
          this.finish();
        });
      }, Math.max(0, this.win.t0 - now()));
    }
    this.timer = setInterval(this.tick, TICK_MS);
  }

  private consume(): Promise<unknown> {
    const q = queueName(this.o, this.id);
    return this.client.rpc(1, {
      name: 'basic.consume', ticket: 0, queue: q, consumerTag: '', noLocal: false, noAck: this.o.autoack, exclusive: false, nowait: false, arguments: {},
    }, 'basic.consume-ok');
  }

  private readonly onFrame = (type: number, _channel: number, p: Buffer, start: number, end: number): boolean => {
    if (type === FRAME_METHOD) {
      if (p.readUInt16BE(start) !== 60 || p.readUInt16BE(start + 2) !== 60) return false;
      const at = start + 5 + p[start + 4]!; // after the consumer tag
      this.tag = p.readUInt32BE(at) * 0x1_0000_0000 + p.readUInt32BE(at + 4);
      this.redelivered = (p[at + 8]! & 1) === 1;
      this.state = State.Header;
      return true;
    }
    if (type === FRAME_HEADER && this.state === State.Header) {
      this.bodySize = p.readUInt32BE(start + 4) * 0x1_0000_0000 + p.readUInt32BE(start + 8);
      this.got = 0;
      this.magicOk = false;
      this.state = State.Body;
      if (this.bodySize === 0) this.delivered();
      return true;
    }
    if (type === FRAME_BODY && this.state === State.Body) {
      if (this.got === 0 && end - start >= 16) {
        this.sentAt = p.readDoubleLE(start);
        this.magicOk = p.readUInt32LE(start + 12) === MAGIC;
      }
      this.got += end - start;
      if (this.got >= this.bodySize) this.delivered();
      return true;
    }
    return false;
  };

  private delivered(): void {
    const t = this.client.receivedAt;
    const s = this.stats;
    this.state = State.Method;
    this.lastActivity = t;
    if (this.magicOk && this.got === this.bodySize) {
      s.consTotal++;
      this.count++;
      if (s.firstConsumed === 0 || t < s.firstConsumed) s.firstConsumed = t;
      if (t > s.lastConsumed) s.lastConsumed = t;
      if (this.redelivered) s.redelivered++;
      if (t >= this.win.w0 && t < this.win.w1) {
        s.consWin++;
        s.latency.addMs(t - this.sentAt);
      }
    } else {
      s.bad++;
    }
    if (!this.o.autoack) {
      this.lastTag = this.tag;
      if (++this.unacked >= this.o.ackEvery) this.ack();
    }
  }

  /** Acks everything up to the last delivery (flushed after the current socket chunk, or by the caller). */
  private ack(): void {
    this.client.send(1, { name: 'basic.ack', deliveryTag: this.lastTag, multiple: true });
    this.unacked = 0;
  }

  private readonly tick = (): void => {
    const t = now();
    if (this.unacked > 0 && t - this.lastActivity >= TICK_MS) {
      this.ack();
      this.client.flush();
    }
    const idle = t - this.lastActivity > this.o.idleMs;
    if (t > this.win.hardStop) return this.finish();
    if (this.o.consumeOnly) {
      if (t >= this.win.w1 || (this.count > 0 && idle)) this.finish();
    } else if (t >= this.win.w1 && (idle || t >= this.win.w1 + this.o.drainMax * 1000)) {
      this.finish();
    }
  };

  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.unacked > 0 && !this.client.closed) {
      this.ack();
      this.client.flush();
    }
    this.finishResolve();
  }
}
