import { GLOBAL_USAGE } from './args.js';
import { accessCommands } from './access.js';
import type { Command } from './command.js';
import { listCommands } from './lists.js';
import { objectCommands } from './objects.js';
import { policyCommandList } from './policies.js';
import { statusCommand } from './status.js';

export const COMMANDS: ReadonlyMap<string, Command> = new Map([statusCommand, ...listCommands, ...policyCommandList, ...accessCommands, ...objectCommands].map((c) => [c.name, c]));

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
Exit codes: 0 done; 1 refused by the node (not found, already exists); 64 bad usage; 65 a value the node
rejected or a file that is not JSON; 69 node unreachable; 70 node failure; 75 timeout; 77 not authorised.`;
}
