import { asList, isNotFound } from './client.js';
import type { Row } from './columns.js';
import { q, type Command } from './command.js';
import { noVhost, usageError } from './exit.js';
import { LISTINGS, type Listing } from './listings.js';

function listCommand(l: Listing): Command {
  const byName = new Map(l.columns.map((c) => [c.name, c]));
  const names = [...byName.keys()];
  const perVhost = l.vhost !== null;
  return {
    name: l.name,
    usage: `${perVhost ? '[-p VHOST] ' : ''}[COLUMN ...]`,
    summary: `lists ${l.what}${perVhost ? ' in a vhost' : ''}; default columns: ${l.defaults.join(' ')}`,
    details: `Columns: ${names.join(' ')}`,
    minArgs: 0,
    maxArgs: Infinity,
    options: perVhost ? ['vhost'] : [],
    async run({ client, out, vhost, values, args }) {
      const unknown = args.filter((c) => !byName.has(c));
      if (unknown.length > 0) throw usageError(`Info key(s) ${unknown.join(',')} are not supported (${l.name} knows: ${names.join(' ')})`, l.name);
      const columns = (args.length > 0 ? args : l.defaults).map((c) => byName.get(c)!);
      for (const line of l.info(vhost, values)) out.info(line);
      let rows: Row[];
      try {
        rows = asList(await client.get(l.path(vhost), { what: perVhost ? `vhost ${q(vhost)}` : l.what }), l.what);
      } catch (e) {
        if (!(perVhost && isNotFound(e))) throw e;
        if (l.vhost === 'refuse') throw noVhost(vhost);
        rows = [];
      }
      const cells = rows.map((r) => columns.map((c) => c.get(r)));
      // what a column means in Warren, said for the columns shown (never a silent stand-in value)
      if (cells.length > 0) {
        columns.forEach((c, i) => {
          if (c.note) out.note(c.note);
          else if (cells.some((row) => row[i] === undefined)) out.note(`${c.name} is empty: the node's management API does not report it`);
        });
      }
      out.rows(columns, cells, l.printsEmpty === true);
    },
  };
}

export const listCommands: Command[] = LISTINGS.map(listCommand);
