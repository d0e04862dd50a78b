import { readFileSync, writeFileSync } from 'node:fs';
import { asObject, seg } from './client.js';
import { q, type Command } from './command.js';
import { CtlError, EXIT } from './exit.js';

const queue = (vhost: string, name: string) => ({ path: `/api/queues/${seg(vhost)}/${seg(name)}`, what: `queue ${q(name)} in vhost ${q(vhost)}` });

/** Queues, connections and definitions files. */
export const objectCommands: Command[] = [
  {
    name: 'purge_queue',
    usage: '[-p VHOST] NAME',
    summary: 'removes the ready messages of a queue',
    minArgs: 1,
    maxArgs: 1,
    options: ['vhost'],
    async run({ client, out, vhost, args: [name] }) {
      const target = queue(vhost, name!);
      out.info(`Purging queue ${q(name!)} in vhost ${q(vhost)} ...`);
      await client.delete(`${target.path}/contents`, target);
    },
  },
  {
    name: 'delete_queue',
    usage: '[-p VHOST] NAME [--if-empty] [--if-unused]',
    summary: 'deletes a queue; --if-empty / --if-unused refuse when it has messages / consumers',
    minArgs: 1,
    maxArgs: 1,
    options: ['vhost', 'if-empty', 'if-unused'],
    async run({ client, out, vhost, values, args: [name] }) {
      const target = queue(vhost, name!);
      const before = asObject(await client.get(target.path, target), 'a queue');
      const query = new URLSearchParams();
      if (values['if-empty']) query.set('if-empty', 'true');
      if (values['if-unused']) query.set('if-unused', 'true');
      out.info(`Deleting queue ${q(name!)} on vhost ${q(vhost)} ...`);
      await client.delete(`${target.path}${query.size > 0 ? `?${query}` : ''}`, target);
      out.info(`Queue was successfully deleted with ${String(before['messages'] ?? 0)} messages`);
    },
  },
  {
    name: 'close_connection',
    usage: 'NAME [REASON]',
    summary: 'closes a client connection (NAME as list_connections name shows it)',
    minArgs: 1,
    maxArgs: 2,
    options: [],
    async run({ client, out, args: [name, reason] }) {
      out.info(`Closing connection ${q(name!)}${reason ? ` with reason ${q(reason)}` : ''} ...`);
      await client.delete(`/api/connections/${seg(name!)}`, { what: `connection ${q(name!)}`, ...(reason ? { headers: { 'X-Reason': reason } } : {}) });
    },
  },
  {
    name: 'export_definitions',
    usage: 'FILE|-',
    summary: "writes the node's definitions (users, vhosts, permissions, queues, exchanges, bindings, policies, parameters) as JSON",
    details: 'With - the JSON goes to stdout. The format is RabbitMQ\'s: RabbitMQ imports it, and Warren imports RabbitMQ\'s.',
    minArgs: 1,
    maxArgs: 1,
    options: [],
    async run({ client, out, args: [file] }) {
      const doc = asObject(await client.get('/api/definitions', { what: 'definitions' }), 'a definitions document');
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      if (file === '-') return out.write(text);
      out.info(`Exporting definitions to ${q(file!)} ...`);
      try {
        writeFileSync(file!, text);
      } catch (e) {
        throw new CtlError(`cannot write ${file}: ${(e as Error).message}`, EXIT.CANTCREAT);
      }
    },
  },
  {
    name: 'import_definitions',
    usage: 'FILE|-',
    summary: 'imports a definitions file (Warren\'s or RabbitMQ\'s export format); with - it is read from stdin',
    minArgs: 1,
    maxArgs: 1,
    options: [],
    async run({ client, out, stdin, args: [file] }) {
      let text: string;
      try {
        text = file === '-' ? await stdin() : readFileSync(file!, 'utf8');
      } catch (e) {
        throw new CtlError(`cannot read ${file}: ${(e as Error).message}`, EXIT.NOINPUT);
      }
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new CtlError(`${file === '-' ? 'stdin' : file} is not valid JSON: ${(e as Error).message}`, EXIT.DATAERR);
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new CtlError(`${file === '-' ? 'stdin' : file} is not a definitions document (a JSON object)`, EXIT.DATAERR);
      out.info(`Importing definitions from ${file === '-' ? 'stdin' : q(file!)} ...`);
      await client.post('/api/definitions', doc, { what: 'definitions import' });
    },
  },
];
