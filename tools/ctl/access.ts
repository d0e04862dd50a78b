import { asObject, isNotFound, seg, type MgmtClient } from './client.js';
import { q, type Command } from './command.js';
import { EXIT, noVhost, refusal } from './exit.js';

const userPath = (name: string): string => `/api/users/${seg(name)}`;
const vhostPath = (name: string): string => `/api/vhosts/${seg(name)}`;
const noUser = (name: string) => refusal(`User ${q(name)} does not exist`, EXIT.NOUSER);

/**
 * set_permissions and clear_permissions look the user up, then the vhost, to say which one is missing
 * as rabbitmqctl does (its message names them unquoted); the API's answer names neither.
 */
async function checkUserAndVhost(client: MgmtClient, user: string, vhost: string): Promise<void> {
  await client.orElse(refusal(`User ${user} does not exist`, EXIT.NOUSER), 'GET', userPath(user));
  await client.orElse(refusal(`Virtual host ${vhost} does not exist`, EXIT.UNAVAILABLE), 'GET', vhostPath(vhost));
}

const permissionsPath = (vhost: string, user: string): string => `/api/permissions/${seg(vhost)}/${seg(user)}`;

/** Users, vhosts and permissions, as rabbitmqctl names the commands, with its messages and exit codes. */
export const accessCommands: Command[] = [
  {
    name: 'add_user',
    usage: 'NAME PASSWORD',
    summary: 'creates a user (no tags: it can use AMQP, not the management API)',
    minArgs: 2,
    maxArgs: 2,
    options: [],
    async run({ client, out, args: [name, password] }) {
      out.info(`Adding user ${q(name!)} ...`);
      if ((await client.find(userPath(name!))) !== null) throw refusal(`User ${q(name!)} already exists`, EXIT.SOFTWARE);
      await client.put(userPath(name!), { password, tags: '' }, { what: `user ${q(name!)}` });
      out.info("Done. Don't forget to grant the user permissions to some virtual hosts! See 'warrenctl help set_permissions' to learn more.");
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
      await client.orElse(noUser(name!), 'DELETE', userPath(name!));
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
      out.info(`Changing password for user ${q(name!)} ...`);
      const existing = asObject(await client.orElse(noUser(name!), 'GET', userPath(name!)), 'a user');
      await client.put(userPath(name!), { password, tags: existing['tags'] ?? [] }, { what: `user ${q(name!)}` });
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
      out.info(`Setting tags for user ${q(name!)} to [${tags.join(', ')}] ...`);
      await client.orElse(noUser(name!), 'GET', userPath(name!)); // a missing user is "does not exist", not a 400 about passwords
      await client.put(userPath(name!), { tags: tags.join(',') }, { what: `user ${q(name!)}` });
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
      await checkUserAndVhost(client, name!, vhost);
      await client.put(permissionsPath(vhost, name!), { configure, write, read }, { what: `permissions of user ${q(name!)} in vhost ${q(vhost)}` });
    },
  },
  {
    name: 'clear_permissions',
    usage: '[-p VHOST] USER',
    summary: "removes a user's permissions in a vhost (none to remove is not an error)",
    minArgs: 1,
    maxArgs: 1,
    options: ['vhost'],
    async run({ client, out, vhost, args: [name] }) {
      out.info(`Clearing permissions for user ${q(name!)} in vhost ${q(vhost)} ...`);
      await checkUserAndVhost(client, name!, vhost);
      try {
        await client.delete(permissionsPath(vhost, name!), { what: `permissions of user ${q(name!)} in vhost ${q(vhost)}` });
      } catch (e) {
        if (!isNotFound(e)) throw e; // no permissions to clear: done, as rabbitmqctl says
      }
    },
  },
  {
    name: 'add_vhost',
    usage: 'NAME [--description TEXT] [--tags TAG,...] [--default-queue-type classic|quorum|stream]',
    summary: 'creates a vhost (or updates its description and tags); the node decides what it makes of the default queue type',
    minArgs: 1,
    maxArgs: 1,
    options: ['description', 'tags', 'default-queue-type'],
    async run({ client, out, values, args: [name] }) {
      out.info(`Adding vhost ${q(name!)} ...`);
      const body = Object.fromEntries(
        ([['description', values.description], ['tags', values.tags], ['default_queue_type', values['default-queue-type']]] as const).filter(([, v]) => v !== undefined),
      );
      await client.put(vhostPath(name!), body, { what: `vhost ${q(name!)}` });
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
      await client.orElse(noVhost(name!), 'DELETE', vhostPath(name!));
    },
  },
];
