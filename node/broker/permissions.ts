import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';

export type Access = 'configure' | 'write' | 'read';

/** A user's rights in one vhost: three regular expressions over resource names, as in RabbitMQ. */
export class Permission {
  private readonly re: Record<Access, RegExp>;

  constructor(
    readonly configure: string,
    readonly write: string,
    readonly read: string,
  ) {
    this.re = { configure: compile(configure), write: compile(write), read: compile(read) };
  }

  allows(access: Access, resource: string): boolean {
    return this.re[access].test(resource);
  }
}

/** An empty pattern matches nothing; others are anchored like Erlang's re:run with the pattern as given. */
function compile(pattern: string): RegExp {
  return pattern === '' ? /(?!)/ : new RegExp(pattern);
}

export function accessRefused(access: Access, kind: 'queue' | 'exchange', name: string, vhost: string, user: string): AmqpError {
  return new AmqpError(ReplyCode.AccessRefused, `${access} access to ${kind} '${name}' in vhost '${vhost}' refused for user '${user}'`);
}
