import { GLOBAL_USAGE } from './args.js';
import { accessCommands } from './access.js';
import type { Command } from './command.js';
import { listCommands } from './lists.js';
import { closeConnection } from './connections.js';
import { definitionCommands } from './definitions.js';
import { policyCommandList } from './policies.js';
import { queueCommands } from './queues.js';
import { statusCommand } from './status.js';

export const COMMANDS: ReadonlyMap<string, Command> = new Map([statusCommand, ...listCommands, ...policyCommandList, ...accessCommands, ...queueCommands, closeConnection, ...definitionCommands].map((c) => [c.name, c]));

export function usageOf(c: Command): string {
  const line = `usage: warrenctl [global options] ${c.name}${c.usage ? ` ${c.usage}` : ''}`;
  const vhost = c.options.includes('vhost') ? "\n  -p, --vhost VHOST  the vhost (default '/')" : '';
  return `${line}\n\n${c.summary}.${c.details ? `\n${c.details}` : ''}${vhost}\n\n${GLOBAL_USAGE}`;
}

export function generalUsage(): string {
  const width = Math.max(...[...COMMANDS.keys()].map((n) => n.length));
  const lines = [...COMMANDS.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: warrenctl [global options] COMMAND [arguments]

Manages a Warren node (or RabbitMQ) through its management HTTP API, with rabbitmqctl's command names.

Commands:
${lines.join('\n')}

${GLOBAL_USAGE}

'warrenctl help COMMAND' or 'warrenctl COMMAND --help' shows a command's usage.
Output, messages and exit codes are rabbitmqctl 3.10's: "Listing ..." lines on stdout, errors on stderr;
64 bad usage (and delete_queue's missing or refused queue), 65 bad data or a missing vhost (delete_vhost,
list_policies), 67 no such user, 69 node unreachable or not found (purge_queue, clear_policy, a missing
vhost in set_permissions), 70 user exists or node failure, 75 timeout, 77 not authorised; 1 for other refusals.
Notes on stderr say what a column means in Warren (pids are names; columns the API does not report are empty).`;
}
