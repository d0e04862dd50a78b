import { AmqpError, TruncatedError } from './errors.js';
import { cannotDecode } from './frame-errors.js';
import type { Reader } from './reader.js';
import { decodeMethodArgs, type Method } from './spec.generated.js';

/**
 * Decodes a method frame's payload (at least 4 bytes: see wellFormed). Arguments must fill the payload
 * exactly, as RabbitMQ's decoders match them: too few or too many bytes is 501 "cannot decode". Any error
 * names the method's class and method ids.
 */
export function decodeMethod(r: Reader, payload: Buffer): Method {
  r.reset(payload);
  const classId = r.u16();
  const methodId = r.u16();
  let m: Method;
  try {
    m = decodeMethodArgs(r, classId, methodId);
  } catch (e) {
    if (e instanceof TruncatedError) throw cannotDecode(payload.subarray(4), classId, methodId);
    throw e instanceof AmqpError ? e.at(classId, methodId) : e;
  }
  if (r.remaining !== 0) throw cannotDecode(payload.subarray(4), classId, methodId);
  return m;
}
