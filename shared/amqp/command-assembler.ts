import { decodeMethod } from './decode-method.js';
import { AmqpError, ReplyCode } from './errors.js';
import { Reader } from './reader.js';
import { METHODS, type Method } from './spec.generated.js';

/** A method with its content, if the method carries one (publish, deliver, return, get-ok). */
export interface Command {
  readonly method: Method;
  /** Property flag word and property list, exactly as received. */
  readonly properties: Buffer | null;
  readonly body: Buffer | null;
}

const enum State {
  Method,
  Header,
  Body,
}

/**
 * Turns one channel's frames into commands, so the channel never sees frames. Enforces the frame order the
 * spec requires (505 UNEXPECTED_FRAME with RabbitMQ's texts otherwise) and bounds the body: the declared
 * size is checked at the header, before any body byte is held, and body frames may never exceed it.
 * Header frames are at least 12 bytes (see wellFormed).
 */
export class CommandAssembler {
  private state = State.Method;
  private method: Method | null = null;
  private properties: Buffer | null = null;
  private bodySize = 0;
  private received = 0;
  private chunks: Buffer[] = [];

  constructor(
    private readonly reader: Reader,
    private maxBodySize: number,
  ) {}

  /** True between a content method and the last byte of its body. */
  get inContent(): boolean {
    return this.state !== State.Method;
  }

  onMethod(payload: Buffer): Command | null {
    if (this.state !== State.Method) throw this.outOfOrder();
    const method = decodeMethod(this.reader, payload);
    if (!METHODS[method.name].content) return { method, properties: null, body: null };
    this.method = method;
    this.state = State.Header;
    return null;
  }

  onHeader(payload: Buffer): Command | null {
    if (this.state !== State.Header) throw this.outOfOrder();
    const r = this.reader.reset(payload);
    const classId = r.u16();
    const weight = r.u16();
    const bodySize = r.u64();
    const expected = METHODS[this.method!.name].classId;
    if (weight !== 0) throw this.outOfOrder();
    if (classId !== expected) throw this.unexpected(`expected content header for class ${expected}, got one for class ${classId} instead`);
    if (r.remaining < 2) throw new AmqpError(ReplyCode.FrameError, 'content header without property flags');
    if (bodySize > this.maxBodySize) {
      const m = this.method!;
      this.reset();
      throw new AmqpError(
        ReplyCode.PreconditionFailed,
        `message size ${bodySize} is larger than configured max size ${this.maxBodySize}`,
        60,
        METHODS[m.name].methodId,
      );
    }
    this.properties = payload.subarray(12);
    this.bodySize = bodySize;
    if (bodySize === 0) return this.complete(Buffer.alloc(0));
    this.state = State.Body;
    return null;
  }

  onBody(payload: Buffer): Command | null {
    if (this.state !== State.Body) throw this.outOfOrder();
    this.received += payload.length;
    if (this.received > this.bodySize) {
      throw new AmqpError(ReplyCode.FrameError, `content body longer than the declared ${this.bodySize} bytes`);
    }
    if (this.received === this.bodySize) {
      if (this.chunks.length === 0) return this.complete(payload);
      this.chunks.push(payload);
      return this.complete(Buffer.concat(this.chunks, this.bodySize));
    }
    this.chunks.push(payload);
    return null;
  }

  /** 505 for a frame of the wrong kind here, in RabbitMQ's words for what was expected. */
  private outOfOrder(): AmqpError {
    if (this.state === State.Method) return new AmqpError(ReplyCode.UnexpectedFrame, 'expected method frame, got non method frame instead');
    if (this.state === State.Body) return this.unexpected('expected content body, got non content body frame instead');
    return this.unexpected(`expected content header for class ${METHODS[this.method!.name].classId}, got non content header frame instead`);
  }

  /** A 505 inside a command names its method, as RabbitMQ does. */
  private unexpected(detail: string): AmqpError {
    const m = METHODS[this.method!.name];
    return new AmqpError(ReplyCode.UnexpectedFrame, detail, m.classId, m.methodId);
  }

  /** Forget a half-received command (the channel is closing). */
  reset(): void {
    this.state = State.Method;
    this.method = null;
    this.properties = null;
    this.chunks = [];
    this.bodySize = this.received = 0;
  }

  private complete(body: Buffer): Command {
    const cmd: Command = { method: this.method!, properties: this.properties, body };
    this.reset();
    return cmd;
  }
}
