import { usageError } from './exit.js';

export type Formatter = 'table' | 'json';

export function formatterOf(v: string | undefined): Formatter {
  if (v === undefined || v === 'table') return 'table';
  if (v === 'json') return 'json';
  throw usageError(`--formatter '${v}' must be table or json`);
}

/** One value in a table cell: rabbitmqctl-like (lists as [a, b], objects as JSON); tabs and newlines shown as \t and \n. */
export function cell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) s = `[${v.join(', ')}]`;
  else if (typeof v === 'object') s = JSON.stringify(v);
  else s = String(v);
  return s.replace(/\t/g, '\\t').replace(/\n/g, '\\n');
}

/** Where a command writes: data to stdout, informational lines to stderr (unless --quiet). */
export class Output {
  constructor(
    readonly formatter: Formatter,
    private readonly quiet: boolean,
    private readonly headers: boolean,
    private readonly stdout: (s: string) => void = (s) => void process.stdout.write(s),
    private readonly stderr: (s: string) => void = (s) => void process.stderr.write(s),
  ) {}

  info(line: string): void {
    if (!this.quiet) this.stderr(`${line}\n`);
  }

  write(text: string): void {
    this.stdout(text);
  }

  json(v: unknown): void {
    this.stdout(`${JSON.stringify(v, null, 2)}\n`);
  }

  /** Rows of named columns: tab-separated with a header line, or a JSON list of objects. */
  rows(columns: readonly string[], rows: readonly Record<string, unknown>[]): void {
    if (this.formatter === 'json') return this.json(rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null]))));
    const lines = rows.map((r) => columns.map((c) => cell(r[c])).join('\t'));
    if (this.headers) lines.unshift(columns.join('\t'));
    if (lines.length > 0) this.stdout(`${lines.join('\n')}\n`);
  }

  /** Key/value pairs (status): `key: value` lines, or one JSON object. */
  record(pairs: readonly [string, unknown][], asJson: unknown): void {
    if (this.formatter === 'json') return this.json(asJson);
    this.stdout(`${pairs.map(([k, v]) => `${k}: ${cell(v)}`).join('\n')}\n`);
  }
}
