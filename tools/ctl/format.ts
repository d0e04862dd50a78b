import { usageError } from './exit.js';
import { plain, type Render } from './render.js';

export type Formatter = 'table' | 'json';

export function formatterOf(v: string | undefined): Formatter {
  if (v === undefined || v === 'table') return 'table';
  if (v === 'json') return 'json';
  throw usageError(`--formatter '${v}' must be table or json`);
}

export interface OutputOptions {
  readonly formatter: Formatter;
  /** -q/-s: no informational lines or notes */
  readonly quiet: boolean;
  /** the table's header line (not with -s or --no-table-headers) */
  readonly headers: boolean;
}

/**
 * Where a command writes, as rabbitmqctl does: data and its informational lines ("Listing queues ...") to
 * stdout, the latter not with -q or --formatter json; warrenctl's notes about what a column means in Warren
 * go to stderr, so they never mix with the data.
 */
export class Output {
  constructor(
    private readonly o: OutputOptions,
    private readonly stdout: (s: string) => void,
    private readonly stderr: (s: string) => void,
  ) {}

  info(line: string): void {
    if (!this.o.quiet && this.o.formatter === 'table') this.stdout(`${line}\n`);
  }

  note(line: string): void {
    if (!this.o.quiet) this.stderr(`Note: ${line}\n`);
  }

  write(text: string): void {
    this.stdout(text);
  }

  /**
   * Rows of columns: tab-separated with a header line (none when there are no rows), or rabbitmqctl's JSON:
   * a list with one object a line. An empty result prints nothing, unless `printsEmpty` (an empty line, []).
   */
  rows(columns: readonly { name: string; render: Render }[], rows: readonly (readonly unknown[])[], printsEmpty = false): void {
    if (rows.length === 0) {
      if (this.o.formatter === 'json') this.stdout(printsEmpty ? '[]\n' : '[\n]\n');
      else if (printsEmpty) this.stdout('\n');
      return;
    }
    if (this.o.formatter === 'json') {
      const objects = rows.map((r) => `{${columns.map((c, i) => `${JSON.stringify(c.name)}:${c.render.json(r[i])}`).join(',')}}\n`);
      return this.stdout(`[\n${objects.join(',')}]\n`);
    }
    const lines = rows.map((r) => columns.map((c, i) => c.render.text(r[i])).join('\t'));
    if (this.o.headers) lines.unshift(columns.map((c) => c.name).join('\t'));
    this.stdout(`${lines.join('\n')}\n`);
  }

  /** Key/value pairs (status): `key: value` lines, or one JSON object. */
  record(pairs: readonly [string, unknown][], asJson: unknown): void {
    if (this.o.formatter === 'json') return this.stdout(`${JSON.stringify(asJson, null, 2)}\n`);
    this.stdout(`${pairs.map(([k, v]) => `${k}: ${plain.text(v)}`).join('\n')}\n`);
  }
}
