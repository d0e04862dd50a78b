import { endpointFrom, GLOBAL_OPTIONS, parseCommandLine, type Parsed } from './args.js';
import { MgmtClient } from './client.js';
import { COMMANDS, generalUsage, usageOf } from './commands.js';
import { CtlError, EXIT, usageError, type ErrorStyle } from './exit.js';
import { formatterOf, Output } from './format.js';

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly stdin: () => Promise<string>;
}

const processIo: Io = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

/** Runs one warrenctl command line; resolves the exit code (errors are printed, never thrown). */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  let parsed: Parsed | undefined;
  try {
    parsed = parseCommandLine(argv);
    const { values, positionals } = parsed;
    let name = parsed.command;
    if (name === 'help') {
      name = positionals[0];
      if (name === undefined) return help(io, generalUsage());
      if (!COMMANDS.has(name)) throw usageError(`unknown command '${name}'`);
      return help(io, usageOf(COMMANDS.get(name)!));
    }
    if (name === undefined) {
      if (values.help) return help(io, generalUsage());
      throw usageError('no command given');
    }
    const command = COMMANDS.get(name);
    if (!command) throw usageError(`unknown command '${name}'`);
    if (values.help) return help(io, usageOf(command));
    const extra = (Object.keys(values) as (keyof typeof values)[]).filter((o) => !GLOBAL_OPTIONS.includes(o) && !command.options.includes(o));
    if (extra.length > 0) throw usageError(`${name} does not take ${extra.map((o) => `--${o}`).join(', ')}`, name);
    if (positionals.length < command.minArgs || positionals.length > command.maxArgs) {
      throw usageError(`${name} takes ${command.minArgs === command.maxArgs ? command.minArgs : `${command.minArgs} to ${command.maxArgs}`} argument(s), got ${positionals.length}`, name);
    }
    const silent = values.silent === true;
    const out = new Output({ formatter: formatterOf(values.formatter), quiet: silent || values.quiet === true, headers: !silent && values['no-table-headers'] !== true }, io.stdout, io.stderr);
    const client = new MgmtClient(endpointFrom(values, env));
    await command.run({ client, out, vhost: values.vhost ?? '/', values, args: positionals, stdin: io.stdin });
    return EXIT.OK;
  } catch (e) {
    if (!(e instanceof CtlError)) {
      io.stderr(`Error: ${(e as Error).stack ?? String(e)}\n`);
      return EXIT.SOFTWARE;
    }
    io.stderr(`${PREFIX[e.style]}${e.message}\n`);
    if (e.code === EXIT.USAGE && e.style === 'validation') {
      const command = e.command ?? parsed?.command;
      io.stderr(`\n${command !== undefined && COMMANDS.has(command) ? usageOf(COMMANDS.get(command)!) : generalUsage()}\n`);
    }
    return e.code;
  }
}

const PREFIX: Record<ErrorStyle, string> = { inline: 'Error: ', block: 'Error:\n', bare: '', validation: 'Error (argument validation): ' };

function help(io: Io, text: string): number {
  io.stdout(`${text}\n`);
  return EXIT.OK;
}
