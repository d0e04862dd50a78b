import { parseArgs } from 'node:util';
import type { Endpoint } from './client.js';
import { usageError } from './exit.js';
import { hostOfNode } from './node-name.js';

/** Every option warrenctl knows; commands say which of the command-specific ones they take. */
export const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  formatter: { type: 'string' },
  timeout: { type: 'string', short: 't' },
  quiet: { type: 'boolean', short: 'q' },
  silent: { type: 'boolean', short: 's' },
  'no-table-headers': { type: 'boolean' },
  node: { type: 'string', short: 'n' },
  longnames: { type: 'boolean', short: 'l' },
  help: { type: 'boolean', short: 'h' },
  vhost: { type: 'string', short: 'p' },
  priority: { type: 'string' },
  'apply-to': { type: 'string' },
  'if-empty': { type: 'boolean', short: 'e' },
  'if-unused': { type: 'boolean', short: 'u' },
  description: { type: 'string' },
  tags: { type: 'string' },
  'default-queue-type': { type: 'string' },
  format: { type: 'string' },
} as const;

export type OptionName = keyof typeof OPTIONS;
export const GLOBAL_OPTIONS: readonly OptionName[] = [
  'host', 'port', 'username', 'password', 'formatter', 'timeout', 'quiet', 'silent', 'no-table-headers', 'node', 'longnames', 'help',
];

export type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'string' ? string : boolean };

export interface Parsed {
  readonly command: string | undefined;
  readonly positionals: string[];
  readonly values: Values;
}

/** Splits the command line; unknown options and missing option values are usage errors. */
export function parseCommandLine(argv: string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const [command, ...positionals] = parsed.positionals;
  return { command, positionals, values: parsed.values as Values };
}

export const GLOBAL_USAGE = `Global options:
  --host HOST            management API host (default 127.0.0.1)
  --port PORT            management API port (default 15672)
  --username NAME        (default guest)
  --password PASSWORD    (default guest)
  --formatter table|json output format (default table: tab-separated, a header line first)
  --no-table-headers     table output without the header line
  -q, --quiet            no informational messages ("Listing ..." lines on stdout, notes on stderr)
  -s, --silent           --quiet and --no-table-headers
  -t, --timeout SECONDS  how long to wait for the node (default 60)
  -n, --node NAME@HOST   the management API on HOST (127.0.0.1 for this machine); NAME is not checked
  -l, --longnames        accepted for rabbitmqctl's sake; no effect over HTTP
  -h, --help             usage; with a command, that command's usage
WARREN_MGMT_URL=http://user:pass@host:port sets the defaults for the first four; --node and --host override its host.`;

/** The API endpoint from the options, then WARREN_MGMT_URL, then 127.0.0.1:15672 as guest. */
export function endpointFrom(v: Values, env: NodeJS.ProcessEnv): Endpoint {
  let base = new URL('http://127.0.0.1:15672');
  let username = 'guest';
  let password = 'guest';
  const fromEnv = env['WARREN_MGMT_URL'];
  if (fromEnv) {
    try {
      const u = new URL(fromEnv);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
      if (u.username) username = decodeURIComponent(u.username);
      if (u.password) password = decodeURIComponent(u.password);
      base = new URL(`${u.protocol}//${u.host}`);
    } catch {
      throw usageError(`WARREN_MGMT_URL '${fromEnv}' is not an http(s) URL like http://guest:guest@127.0.0.1:15672`);
    }
  }
  if (v.node !== undefined) setHost(base, hostOfNode(v.node), `--node '${v.node}'`);
  if (v.host !== undefined) setHost(base, v.host, `--host '${v.host}'`);
  if (v.port !== undefined) {
    const port = Number(v.port);
    if (!/^\d+$/.test(v.port) || port < 1 || port > 65535) throw usageError(`--port '${v.port}' must be a number from 1 to 65535`);
    base.port = v.port; // the scheme's default port reads back as '', which addressOf shows again
  }
  let timeoutMs = 60_000;
  if (v.timeout !== undefined) {
    const s = Number(v.timeout);
    if (!Number.isFinite(s) || s <= 0) throw usageError(`--timeout '${v.timeout}' must be a positive number of seconds`);
    timeoutMs = Math.round(s * 1000);
  }
  return { base, username: v.username ?? username, password: v.password ?? password, timeoutMs };
}

function setHost(base: URL, host: string, what: string): void {
  if (host === '' || /[/\s@]/.test(host)) throw usageError(`${what} does not name a host`);
  base.hostname = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host; // an IPv6 address
}
