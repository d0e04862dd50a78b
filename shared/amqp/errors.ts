/**
 * Typed AMQP errors. Deep code throws these; only the connection decides whether a reply code closes the
 * channel (soft) or the whole connection (hard), using the spec's classification below.
 */

export const ReplyCode = {
  ContentTooLarge: 311,
  NoRoute: 312,
  NoConsumers: 313,
  ConnectionForced: 320,
  InvalidPath: 402,
  AccessRefused: 403,
  NotFound: 404,
  ResourceLocked: 405,
  PreconditionFailed: 406,
  FrameError: 501,
  SyntaxError: 502,
  CommandInvalid: 503,
  ChannelError: 504,
  UnexpectedFrame: 505,
  ResourceError: 506,
  NotAllowed: 530,
  NotImplemented: 540,
  InternalError: 541,
} as const;
export type ReplyCode = (typeof ReplyCode)[keyof typeof ReplyCode];

const REPLY_NAMES: Record<ReplyCode, string> = {
  311: 'CONTENT_TOO_LARGE',
  312: 'NO_ROUTE',
  313: 'NO_CONSUMERS',
  320: 'CONNECTION_FORCED',
  402: 'INVALID_PATH',
  403: 'ACCESS_REFUSED',
  404: 'NOT_FOUND',
  405: 'RESOURCE_LOCKED',
  406: 'PRECONDITION_FAILED',
  501: 'FRAME_ERROR',
  502: 'SYNTAX_ERROR',
  503: 'COMMAND_INVALID',
  504: 'CHANNEL_ERROR',
  505: 'UNEXPECTED_FRAME',
  506: 'RESOURCE_ERROR',
  530: 'NOT_ALLOWED',
  540: 'NOT_IMPLEMENTED',
  541: 'INTERNAL_ERROR',
};

/** Soft errors close a channel; every other code closes the connection (AMQP 0-9-1 spec constants). */
const SOFT: ReadonlySet<number> = new Set([311, 312, 313, 403, 404, 405, 406]);

export class AmqpError extends Error {
  override readonly name = 'AmqpError';
  /** Full reply text as sent on the wire, e.g. `NOT_FOUND - no queue 'x' in vhost '/'`. */
  readonly replyText: string;

  constructor(
    readonly replyCode: ReplyCode,
    detail: string,
    readonly classId = 0,
    readonly methodId = 0,
  ) {
    const text = `${REPLY_NAMES[replyCode]} - ${detail}`;
    super(text);
    this.replyText = shortText(text);
  }

  /** True when this error must close the whole connection rather than one channel. */
  get hard(): boolean {
    return !SOFT.has(this.replyCode);
  }

  /** The same error attributed to a method, when it was raised below the code that knows the method. */
  at(classId: number, methodId: number): AmqpError {
    if (this.classId !== 0 || this.methodId !== 0) return this;
    const e = new AmqpError(this.replyCode, '', classId, methodId);
    (e as { replyText: string }).replyText = this.replyText;
    e.message = this.message;
    return e;
  }
}

/** Malformed bytes on the wire: always a connection error. */
export function frameError(detail: string): AmqpError {
  return new AmqpError(ReplyCode.FrameError, detail);
}

/** A read past the end of a frame or of a length-prefixed field: a method's arguments do not decode. */
export class TruncatedError extends AmqpError {
  constructor() {
    super(ReplyCode.FrameError, 'truncated frame payload');
  }
}

/** A reply text fits a shortstr: as RabbitMQ does, one over 255 bytes keeps its first 252 and ends in "...". */
function shortText(text: string): string {
  if (Buffer.byteLength(text) <= 255) return text;
  let out = '';
  let bytes = 0;
  for (const c of text) {
    bytes += Buffer.byteLength(c);
    if (bytes > 252) break;
    out += c;
  }
  return `${out}...`;
}
