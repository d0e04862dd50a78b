import { AmqpError, Reader, ReplyCode, stringOf } from '../../shared/amqp/index.js';

export const MECHANISMS = 'PLAIN AMQPLAIN';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** Parses a SASL response for PLAIN (`authzid NUL authcid NUL password`) or AMQPLAIN (a bare field table). */
export function parseSaslResponse(mechanism: string, response: Buffer): Credentials {
  if (mechanism === 'PLAIN') {
    const parts = response.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw malformed(mechanism);
    return { username: parts[1]!, password: parts[2]! };
  }
  if (mechanism === 'AMQPLAIN') {
    // AMQPLAIN's response is a field table without its 32-bit length prefix.
    const framed = Buffer.allocUnsafe(4 + response.length);
    framed.writeUInt32BE(response.length, 0);
    response.copy(framed, 4);
    const table = new Reader().reset(framed).table();
    const username = stringOf(table['LOGIN']);
    const password = stringOf(table['PASSWORD']);
    if (username === undefined || password === undefined) throw malformed(mechanism);
    return { username, password };
  }
  throw new AmqpError(ReplyCode.CommandInvalid, `unknown authentication mechanism '${mechanism}'`, 10, 11);
}

/** A response that does not parse is a syntax error (502), as RabbitMQ answers, not a refused login. */
function malformed(mechanism: string): AmqpError {
  return new AmqpError(ReplyCode.SyntaxError, `malformed ${mechanism} response`, 10, 11);
}

/**
 * A refused login. RabbitMQ sends its close itself, naming no method (0/0), before the error handling that
 * names the failing method would name connection.start-ok: this error stays unattributed.
 */
class LoginRefused extends AmqpError {
  override at(): AmqpError {
    return this;
  }
}

export function refused(mechanism: string): AmqpError {
  return new LoginRefused(ReplyCode.AccessRefused, `Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`);
}
