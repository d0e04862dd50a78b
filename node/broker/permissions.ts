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

  private allows(access: Access, resource: string): boolean {
    return this.re[access].test(resource);
  }

  /** Whether this grants `access` to the queue or exchange; the default exchange is checked as 'amq.default', as RabbitMQ does. */
  grants(access: Access, kind: 'queue' | 'exchange', name: string): boolean {
    return this.allows(access, resourceName(kind, name));
  }

  /** Throws RabbitMQ's 403 unless this grants `access` to the queue or exchange. */
  authorize(access: Access, kind: 'queue' | 'exchange', name: string, vhost: string, user: string): void {
    if (!this.grants(access, kind, name)) throw accessRefused(kind, resourceName(kind, name), vhost, user);
  }
}

function resourceName(kind: 'queue' | 'exchange', name: string): string {
  return kind === 'exchange' && name === '' ? 'amq.default' : name;
}

/** An empty pattern matches nothing; others are anchored like Erlang's re:run with the pattern as given. */
function compile(pattern: string): RegExp {
  return pattern === '' ? /(?!)/ : new RegExp(pattern);
}

/** RabbitMQ 3.10's words, which do not name the access refused. */
function accessRefused(kind: 'queue' | 'exchange', name: string, vhost: string, user: string): AmqpError {
  return new AmqpError(ReplyCode.AccessRefused, `access to ${kind} '${name}' in vhost '${vhost}' refused for user '${user}'`);
}
