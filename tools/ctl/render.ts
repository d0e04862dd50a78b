import { isIP } from 'node:net';
import { tableJson, tableText } from './amqp-table.js';

/** How a column's values print: as a rabbitmqctl 3.10 table cell, and as its --formatter json value (JSON text). */
export interface Render {
  text(v: unknown): string;
  json(v: unknown): string;
}

/** Scalars as they are; null (rabbitmqctl's absent value) as an empty cell and "". */
export const plain: Render = {
  text: (v) => {
    if (v === null || v === undefined) return '';
    if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return `[${v.join(', ')}]`;
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  },
  json: (v) => (v === null || v === undefined ? '""' : JSON.stringify(v)),
};

/** Erlang floats such as consumer_capacity: 1.0, where JSON has lost the fraction (0 stays 0, as rabbitmqctl's is an integer then). */
export const float: Render = {
  text: (v) => (typeof v === 'number' && Number.isInteger(v) && v !== 0 ? `${v}.0` : plain.text(v)),
  json: (v) => (typeof v === 'number' && Number.isInteger(v) && v !== 0 ? `${v}.0` : plain.json(v)),
};

/** An AMQP field table; `sorted` for arguments, which RabbitMQ stores sorted (client_properties keep the client's order). */
export const amqpTable = (sorted: boolean): Render => ({ text: (v) => tableText(v, sorted), json: (v) => tableJson(v, sorted) });

/** A list of atoms (tags): [administrator, management]; a comma-separated string from older nodes too. */
export const atoms: Render = {
  text: (v) => `[${listOf(v).join(', ')}]`,
  json: (v) => JSON.stringify(listOf(v)),
};
const listOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',').filter(Boolean) : []);

/** A policy definition: JSON text in the table, and a JSON string (not an object) in rabbitmqctl's JSON. */
export const jsonText: Render = {
  text: (v) => JSON.stringify(v ?? {}),
  json: (v) => JSON.stringify(JSON.stringify(v ?? {})),
};

/** Values `to` converts print as `text` makes them and as the conversion in JSON; others as plain. */
function converting<T>(to: (v: unknown) => T | null, text: (converted: T, v: unknown) => string): Render {
  return {
    text: (v) => {
      const c = to(v);
      return c === null ? plain.text(v) : text(c, v);
    },
    json: (v) => {
      const c = to(v);
      return c === null ? plain.json(v) : JSON.stringify(c);
    },
  };
}

/** 'AMQP 0-9-1' as rabbitmqctl's version tuple: {0,9,1}, and [0,9,1] in JSON. */
export const protocol = converting(
  (v) => {
    const m = typeof v === 'string' ? /(\d+)-(\d+)-(\d+)/.exec(v) : null;
    return m ? m.slice(1).map(Number) : null;
  },
  (version) => `{${version.join(',')}}`,
);

/** An IP address: text in the table; rabbitmqctl's JSON shows Erlang's address tuple ([127,0,0,1], 8 words for IPv6). */
export const ip = converting((v) => (typeof v === 'string' ? addressWords(v) : null), (_, v) => String(v));

function addressWords(a: string): number[] | null {
  if (isIP(a) === 4) return a.split('.').map(Number);
  if (isIP(a) !== 6) return null;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a); // ::ffff:127.0.0.1
  const hex = v4 ? a.slice(0, v4.index) + [[1, 2], [3, 4]].map(([h, l]) => ((Number(v4[h!]) << 8) | Number(v4[l!])).toString(16)).join(':') : a;
  const [head, tail] = hex.split('::') as [string, string | undefined];
  const words = (s: string | undefined): number[] => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head);
  const t = words(tail);
  return [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/** A vhost's cluster_state, {node: state}: [{rabbit@vm, running}] in the table. */
export const nodeStates: Render = {
  text: (v) => (typeof v === 'object' && v !== null ? `[${Object.entries(v).map(([n, s]) => `{${n}, ${String(s)}}`).join(', ')}]` : plain.text(v)),
  json: plain.json,
};
