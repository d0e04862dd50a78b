import type { OptionName, Values } from './args.js';
import type { MgmtClient } from './client.js';
import type { Output } from './format.js';

/** What a command runs with. */
export interface Ctx {
  readonly client: MgmtClient;
  readonly out: Output;
  /** -p/--vhost, '/' when not given */
  readonly vhost: string;
  readonly values: Values;
  /** the positional arguments after the command name */
  readonly args: readonly string[];
  readonly stdin: () => Promise<string>;
}

export interface Command {
  readonly name: string;
  /** the usage line after the command name, e.g. '[-p VHOST] NAME' */
  readonly usage: string;
  readonly summary: string;
  /** more text for --help */
  readonly details?: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** command-specific options it takes (beyond the global ones) */
  readonly options: readonly OptionName[];
  run(ctx: Ctx): Promise<void>;
}

/** rabbitmqctl's info lines put most names in double quotes, as they are (nothing escaped). */
export const q = (s: string): string => `"${s}"`;
