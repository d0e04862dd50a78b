import { seg } from './client.js';
import type { Command } from './command.js';
import { EXIT, refusal } from './exit.js';

/**
 * close_connection. rabbitmqctl takes a connection pid; Warren's connections have names instead, which
 * list_connections shows as both name and pid. A name that matches no connection exits 69, as
 * rabbitmqctl does for an id it cannot resolve.
 */
export const closeConnection: Command = {
  name: 'close_connection',
  usage: 'NAME [REASON]',
  summary: 'closes a client connection (NAME as list_connections name or pid shows it); the client gets REASON',
  minArgs: 1,
  maxArgs: 2,
  options: [],
  async run({ client, out, args: [name, reason] }) {
    out.info(`Closing connection ${name!}${reason ? `, reason: ${reason}` : ''}...`);
    await client.orElse(refusal(`Connection ${name!} not found`, EXIT.UNAVAILABLE), 'DELETE', `/api/connections/${seg(name!)}`, undefined, reason ? { headers: { 'X-Reason': reason } } : {});
  },
};
