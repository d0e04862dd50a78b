import { AmqpError, ReplyCode } from '../../shared/amqp/index.js';
import { Permission } from './permissions.js';
import { checkPassword, hashPassword, type User, type UserTag } from './users.js';
import { Vhost } from './vhost.js';

export interface BrokerOptions {
  readonly defaultUser: string;
  readonly defaultPass: string;
  readonly defaultVhost: string;
}

/**
 * The node's broker state: vhosts, users and their permissions. Everything above it (AMQP, management
 * API) authenticates and authorises through here.
 */
export class Broker {
  readonly vhosts = new Map<string, Vhost>();
  readonly users = new Map<string, User>();
  /** vhost -> user -> permission */
  readonly permissions = new Map<string, Map<string, Permission>>();

  constructor(options: BrokerOptions) {
    this.addVhost(options.defaultVhost);
    this.addUser(options.defaultUser, options.defaultPass, ['administrator']);
    this.setPermission(options.defaultVhost, options.defaultUser, new Permission('.*', '.*', '.*'));
  }

  addVhost(name: string): Vhost {
    let v = this.vhosts.get(name);
    if (!v) {
      v = new Vhost(name);
      this.vhosts.set(name, v);
      this.permissions.set(name, new Map());
    }
    return v;
  }

  addUser(name: string, password: string, tags: UserTag[] = []): User {
    const user: User = { name, passwordHash: hashPassword(password), tags };
    this.users.set(name, user);
    return user;
  }

  setPermission(vhost: string, user: string, p: Permission): void {
    if (!this.vhosts.has(vhost)) throw new AmqpError(ReplyCode.NotFound, `no vhost '${vhost}'`);
    this.permissions.get(vhost)!.set(user, p);
  }

  /** The user if the password is right, else null. */
  authenticate(name: string, password: string): User | null {
    const user = this.users.get(name);
    return user && checkPassword(user, password) ? user : null;
  }

  permission(vhost: string, user: string): Permission | undefined {
    return this.permissions.get(vhost)?.get(user);
  }
}
