import { asObject, seg } from './client.js';
import { q, type Command } from './command.js';
import { CtlError, EXIT } from './exit.js';

const user = (name: string) => ({ path: `/api/users/${seg(name)}`, what: `user ${q(name)}` });

/** Users, vhosts and permissions, as rabbitmqctl names the commands. */
export const accessCommands: Command[] = [
  {
    name: 'add_user',
    usage: 'NAME PASSWORD',
    summary: 'creates a user (no tags: it can use AMQP, not the management API)',
    minArgs: 2,
    maxArgs: 2,
    options: [],
    async run({ client, out, args: [name, password] }) {
      const u = user(name!);
      if ((await client.find(u.path)) !== null) throw new CtlError(`user ${q(name!)} already exists`, EXIT.ERROR);
      out.info(`Adding user ${q(name!)} ...`);
      await client.put(u.path, { password, tags: '' }, u);
    },
  },
  {
    name: 'delete_user',
    usage: 'NAME',
    summary: 'deletes a user and its permissions',
    minArgs: 1,
    maxArgs: 1,
    options: [],
    async run({ client, out, args: [name] }) {
      out.info(`Deleting user ${q(name!)} ...`);
      await client.delete(user(name!).path, user(name!));
    },
  },
  {
    name: 'change_password',
    usage: 'NAME PASSWORD',
    summary: "sets a user's password, keeping its tags",
    minArgs: 2,
    maxArgs: 2,
    options: [],
    async run({ client, out, args: [name, password] }) {
      const u = user(name!);
      const existing = asObject(await client.get(u.path, u), 'a user');
      out.info(`Changing password for user ${q(name!)} ...`);
      await client.put(u.path, { password, tags: existing['tags'] ?? [] }, u);
    },
  },
  {
    name: 'set_user_tags',
    usage: 'NAME [TAG ...]',
    summary: "replaces a user's tags (administrator, monitoring, policymaker, management, impersonator); none clears them",
    minArgs: 1,
    maxArgs: Infinity,
    options: [],
    async run({ client, out, args: [name, ...tags] }) {
      const u = user(name!);
      await client.get(u.path, u); // a missing user is "not found", not a 400 about passwords
      out.info(`Setting tags for user ${q(name!)} to [${tags.join(', ')}] ...`);
      await client.put(u.path, { tags: tags.join(',') }, u);
    },
  },
  {
    name: 'set_permissions',
    usage: '[-p VHOST] USER CONF WRITE READ',
    summary: "sets a user's configure, write and read permissions (regular expressions) in a vhost",
    minArgs: 4,
    maxArgs: 4,
    options: ['vhost'],
    async run({ client, out, vhost, args: [name, configure, write, read] }) {
      out.info(`Setting permissions for user ${q(name!)} in vhost ${q(vhost)} ...`);
      await client.put(`/api/permissions/${seg(vhost)}/${seg(name!)}`, { configure, write, read }, { what: `permissions of user ${q(name!)} in vhost ${q(vhost)}` });
    },
  },
  {
    name: 'clear_permissions',
    usage: '[-p VHOST] USER',
    summary: "removes a user's permissions in a vhost",
    minArgs: 1,
    maxArgs: 1,
    options: ['vhost'],
    async run({ client, out, vhost, args: [name] }) {
      out.info(`Clearing permissions for user ${q(name!)} in vhost ${q(vhost)} ...`);
      await client.delete(`/api/permissions/${seg(vhost)}/${seg(name!)}`, { what: `permissions of user ${q(name!)} in vhost ${q(vhost)}` });
    },
  },
  {
    name: 'add_vhost',
    usage: 'NAME',
    summary: 'creates a vhost',
    minArgs: 1,
    maxArgs: 1,
    options: [],
    async run({ client, out, args: [name] }) {
      out.info(`Adding vhost ${q(name!)} ...`);
      await client.put(`/api/vhosts/${seg(name!)}`, {}, { what: `vhost ${q(name!)}` });
    },
  },
  {
    name: 'delete_vhost',
    usage: 'NAME',
    summary: 'deletes a vhost with everything in it, closing its connections',
    minArgs: 1,
    maxArgs: 1,
    options: [],
    async run({ client, out, args: [name] }) {
      out.info(`Deleting vhost ${q(name!)} ...`);
      await client.delete(`/api/vhosts/${seg(name!)}`, { what: `vhost ${q(name!)}` });
    },
  },
];
