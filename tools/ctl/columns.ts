import { plain, type Render } from './render.js';

export type Row = Record<string, unknown>;
/** A column's value from one API object; undefined when the API does not have it (the column is then empty, with a note). */
export type Getter = (o: Row) => unknown;

/** One of rabbitmqctl's info items, from the management API's objects. */
export interface Column {
  readonly name: string;
  readonly get: Getter;
  readonly render: Render;
  /** printed on stderr (unless --quiet) when the column is shown: what it means in Warren */
  readonly note?: string;
}

export const at =
  (...path: string[]): Getter =>
  (o) =>
    path.reduce<unknown>((x, k) => (typeof x === 'object' && x !== null ? (x as Row)[k] : undefined), o);

/** A column: the API field of the same name unless `get` says otherwise, shown plain unless `render` says otherwise. */
export const col = (name: string, opts: { get?: Getter; render?: Render; note?: string } = {}): Column => ({
  name,
  get: opts.get ?? at(name),
  render: opts.render ?? plain,
  ...(opts.note ? { note: opts.note } : {}),
});

/** Plain columns named as their API fields. */
export const fields = (...names: string[]): Column[] => names.map((n) => col(n));

/**
 * An Erlang process id column, mapped to the name of the object it identifies: Warren has no Erlang
 * processes, and the name plays the pid's part (list_consumers channel_pid matches list_channels pid,
 * close_connection takes list_connections pid).
 */
export const pidAsName = (name: string, what: string, get: Getter): Column =>
  col(name, { get, note: `${name} shows the ${what}'s name (Warren has no Erlang processes; the name identifies the ${what} as a pid does)` });
