import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';

/** RabbitMQ's reply texts, built in one place so every path words the same failure the same way. */

export type ResourceKind = 'queue' | 'exchange';

export const notFound = (kind: ResourceKind, name: string, vhost: string): AmqpError =>
  new AmqpError(ReplyCode.NotFound, `no ${kind} '${name}' in vhost '${vhost}'`);

export const inequivalent = (kind: ResourceKind, name: string, vhost: string, arg: string, received: string, current: string): AmqpError =>
  new AmqpError(
    ReplyCode.PreconditionFailed,
    `inequivalent arg '${arg}' for ${kind} '${name}' in vhost '${vhost}': received ${received} but current is ${current}`,
  );

export const reservedName = (kind: ResourceKind, name: string): AmqpError =>
  new AmqpError(ReplyCode.AccessRefused, `${kind} name '${name}' contains reserved prefix 'amq.*'`);

export const inUse = (kind: ResourceKind, name: string, vhost: string): AmqpError =>
  new AmqpError(ReplyCode.PreconditionFailed, `${kind} '${name}' in vhost '${vhost}' in use`);

export const exclusiveLocked = (name: string, vhost: string): AmqpError =>
  new AmqpError(
    ReplyCode.ResourceLocked,
    `cannot obtain exclusive access to locked queue '${name}' in vhost '${vhost}'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
  );

export const invalidArg = (arg: string, kind: ResourceKind, name: string, vhost: string, why: string): AmqpError =>
  new AmqpError(ReplyCode.PreconditionFailed, `invalid arg '${arg}' for ${kind} '${name}' in vhost '${vhost}': ${why}`);

export const defaultExchangeRefused = (): AmqpError =>
  new AmqpError(ReplyCode.AccessRefused, 'operation not permitted on the default exchange');
