import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { asObject } from './client.js';
import { q, type Command } from './command.js';
import { badArgument, CtlError, EXIT, refusal } from './exit.js';
import type { Values } from './args.js';

/** --format: rabbitmqctl's json or erlang; warrenctl speaks the management API's JSON only. */
function checkFormat(values: Values): void {
  if (values.format !== undefined && values.format !== 'json') throw badArgument(`Format should be json (warrenctl does not read or write Erlang term format)`);
}

/** export_definitions and import_definitions, in RabbitMQ's JSON format (each node imports the other's). */
export const definitionCommands: Command[] = [
  {
    name: 'export_definitions',
    usage: 'FILE|- [--format json]',
    summary: "writes the node's definitions (users, vhosts, permissions, queues, exchanges, bindings, policies, parameters) as JSON",
    details: "With - the JSON goes to stdout. The format is RabbitMQ's: RabbitMQ imports it, and Warren imports RabbitMQ's.",
    minArgs: 1,
    maxArgs: 1,
    options: ['format'],
    async run({ client, out, values, args: [file] }) {
      checkFormat(values);
      const doc = asObject(await client.get('/api/definitions', { what: 'definitions' }), 'a definitions document');
      // compact and without a final newline, as rabbitmqctl writes it
      if (file === '-') return out.write(JSON.stringify(doc));
      out.info(`Exporting definitions in JSON to a file at ${q(file!)} ...`);
      try {
        writeFileSync(file!, JSON.stringify(doc));
      } catch (e) {
        throw new CtlError(`cannot write ${file}: ${(e as Error).message}`, EXIT.CANTCREAT);
      }
    },
  },
  {
    name: 'import_definitions',
    usage: '[FILE|-] [--format json]',
    summary: "imports a definitions file (Warren's or RabbitMQ's export format); without FILE, or with -, it is read from stdin",
    details: 'The import is done when the command returns (RabbitMQ only starts it).',
    minArgs: 0,
    maxArgs: 1,
    options: ['format'],
    async run({ client, out, values, stdin, args: [file] }) {
      checkFormat(values);
      const fromStdin = file === undefined || file === '-';
      if (!fromStdin && !existsSync(file)) throw badArgument(`File ${file} does not exist`);
      out.info(`Importing definitions in JSON from ${fromStdin ? 'standard input' : `a file at ${q(file)}`} ...`);
      let text: string;
      try {
        text = fromStdin ? await stdin() : readFileSync(file, 'utf8');
      } catch (e) {
        throw new CtlError(`cannot read ${fromStdin ? 'standard input' : file}: ${(e as Error).message}`, EXIT.NOINPUT);
      }
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw refusal(`Failed to deserialise input (format: JSON) (error: ${(e as Error).message})`, EXIT.DATAERR);
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw refusal('Failed to deserialise input (format: JSON) (error: not a JSON object)', EXIT.DATAERR);
      await client.post('/api/definitions', doc, { what: 'definitions import' });
      out.info('Successfully imported definitions.');
    },
  },
];
