import { seg } from './client.js';
import { q, type Command } from './command.js';
import { usageError } from './exit.js';

const APPLY_TO = ['queues', 'exchanges', 'all'];

function policyCommands(kind: 'policy' | 'operator_policy'): Command[] {
  const api = kind === 'policy' ? 'policies' : 'operator-policies';
  const label = kind.replace('_', ' ');
  const path = (vhost: string, name: string) => `/api/${api}/${seg(vhost)}/${seg(name)}`;
  return [
    {
      name: `set_${kind}`,
      usage: '[-p VHOST] NAME PATTERN DEFINITION [--priority N] [--apply-to queues|exchanges|all]',
      summary: `sets a${kind === 'policy' ? '' : 'n'} ${label}: DEFINITION (a JSON object) applies to the queues/exchanges whose names match PATTERN`,
      details: `Example: set_${kind} -p / limits "^orders\\." '{"max-length":1000}' --priority 1 --apply-to queues\nThe highest priority (default 0) of the matching ${api.replace('-', ' ')} applies.`,
      minArgs: 3,
      maxArgs: 3,
      options: ['vhost', 'priority', 'apply-to'],
      async run({ client, out, vhost, values, args: [name, pattern, text] }) {
        let definition: unknown;
        try {
          definition = JSON.parse(text!);
        } catch (e) {
          throw usageError(`DEFINITION is not valid JSON: ${(e as Error).message}`, `set_${kind}`);
        }
        if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) throw usageError('DEFINITION must be a JSON object', `set_${kind}`);
        const priority = values.priority === undefined ? 0 : Number(values.priority);
        if (!/^-?\d+$/.test(values.priority ?? '0')) throw usageError(`--priority '${values.priority}' must be an integer`, `set_${kind}`);
        const applyTo = values['apply-to'] ?? 'all';
        if (!APPLY_TO.includes(applyTo)) throw usageError(`--apply-to '${applyTo}' must be one of ${APPLY_TO.join(', ')}`, `set_${kind}`);
        out.info(`Setting ${label} ${q(name!)} for pattern ${q(pattern!)} to ${q(text!)} with priority ${q(String(priority))} for vhost ${q(vhost)} ...`);
        await client.put(path(vhost, name!), { pattern, definition, priority, 'apply-to': applyTo }, { what: `${label} ${q(name!)} in vhost ${q(vhost)}` });
      },
    },
    {
      name: `clear_${kind}`,
      usage: '[-p VHOST] NAME',
      summary: `removes a${kind === 'policy' ? '' : 'n'} ${label}`,
      minArgs: 1,
      maxArgs: 1,
      options: ['vhost'],
      async run({ client, out, vhost, args: [name] }) {
        out.info(`Clearing ${label} ${q(name!)} on vhost ${q(vhost)} ...`);
        await client.delete(path(vhost, name!), { what: `${label} ${q(name!)} in vhost ${q(vhost)}` });
      },
    },
  ];
}

export const policyCommandList: Command[] = [...policyCommands('policy'), ...policyCommands('operator_policy')];
