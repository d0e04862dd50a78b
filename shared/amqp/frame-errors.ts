import { AmqpError, ReplyCode } from './errors.js';
import { printTerm, writeBytes, type ErlangTerm } from './erlang-term.js';
import { FRAME_BODY, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD } from './spec.generated.js';

/**
 * The frame-level errors with RabbitMQ's texts (rabbit_reader, rabbit_command_assembler): each names the
 * frame type and shows up to 16 bytes of its payload as Erlang prints them.
 */

/** A frame RabbitMQ can take apart: a known type, and a payload long enough for that type's fixed fields. */
export function wellFormed(type: number, payload: Buffer): boolean {
  switch (type) {
    case FRAME_METHOD:
      return payload.length >= 4;
    case FRAME_HEADER:
      return payload.length >= 12;
    case FRAME_BODY:
      return true;
    case FRAME_HEARTBEAT:
      return payload.length === 0;
    default:
      return false;
  }
}

/** 501 for a frame that is not well-formed. */
export const unknownFrame = (type: number, payload: Buffer): AmqpError => badFrame(type, payload, 'unknown_frame');

/** 501 from a frame header whose size is above frame_max (RabbitMQ lets a frame exceed it by 8 bytes). */
export const frameTooLarge = (type: number, size: number, frameMax: number): AmqpError =>
  badFrame(type, Buffer.alloc(0), ['frame_too_large', size, frameMax - 8]);

/** 501 for a frame that does not end in 0xCE: the stream has lost sync. */
export const badFrameEnd = (type: number, payload: Buffer, end: number): AmqpError => badFrame(type, payload, ['invalid_frame_end_marker', end]);

/** 505 for a well-formed frame where the connection cannot take it (heartbeat off channel 0, content on 0, early frames). */
export const unexpectedFrame = (type: number, payload: Buffer): AmqpError => new AmqpError(ReplyCode.UnexpectedFrame, snippet(type, payload));

/** 501 for method arguments that do not decode; RabbitMQ shows them all (the text is cut at 255 bytes). */
export function cannotDecode(args: Buffer, classId: number, methodId: number): AmqpError {
  // 128 bytes print as more than 255 characters: showing more would only be cut off
  return new AmqpError(ReplyCode.FrameError, `cannot decode ${writeBytes(args.subarray(0, 128))}`, classId, methodId);
}

function badFrame(type: number, payload: Buffer, reason: ErlangTerm): AmqpError {
  const text = `${snippet(type, payload)}: `;
  return new AmqpError(ReplyCode.FrameError, text + printTerm(reason, text.length - text.lastIndexOf('\n')));
}

function snippet(type: number, payload: Buffer): string {
  const text = `type ${type}, ${payload.length <= 16 ? 'all' : 'first 16'} octets = `;
  return text + printTerm(payload.subarray(0, 16), text.length + 1);
}
