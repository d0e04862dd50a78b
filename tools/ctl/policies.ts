import { ApiError, seg } from './client.js';
import { q, type Command } from './command.js';
import { EXIT, noVhost, refusal, usageError } from './exit.js';

const APPLY_TO = ['queues', 'exchanges', 'all'];

/** rabbitmqctl refuses a definition the node does not accept with exit 69 and "Validation failed". */
const invalid = (reason: string) => refusal(/^Validation failed/.test(reason) ? reason : `Validation failed\n\n${reason}\n`, EXIT.UNAVAILABLE);

function parseDefinition(text: string): Record<string, unknown> {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (e) {
    throw refusal(`JSON decoding error. Reason: ${(e as Error).message}`, EXIT.UNAVAILABLE);
  }
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) throw invalid(`${text} is not a JSON object`);
  return definition as Record<string, unknown>;
}

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
        if (!/^-?\d+$/.test(values.priority ?? '0')) throw usageError(`--priority '${values.priority}' must be an integer`, `set_${kind}`);
        const priority = Number(values.priority ?? 0);
        const applyTo = values['apply-to'] ?? 'all';
        out.info(`Setting ${kind === 'policy' ? 'policy' : 'operator policy override'} ${q(name!)} for pattern ${q(pattern!)} to ${q(text!)} with priority ${q(String(priority))} for vhost ${q(vhost)} ...`);
        if (!APPLY_TO.includes(applyTo)) throw invalid(`apply-to '${applyTo}' unrecognised; should be 'queues', 'exchanges' or 'all'`);
        const definition = parseDefinition(text!);
        try {
          await client.orElse(noVhost(vhost), 'PUT', path(vhost, name!), { pattern, definition, priority, 'apply-to': applyTo }, { what: `${label} ${q(name!)} in vhost ${q(vhost)}` });
        } catch (e) {
          throw e instanceof ApiError && e.status === 400 ? invalid(e.reason) : e;
        }
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
        await client.orElse(refusal('Parameter does not exist', EXIT.UNAVAILABLE), 'DELETE', path(vhost, name!));
      },
    },
  ];
}

export const policyCommandList: Command[] = [...policyCommands('policy'), ...policyCommands('operator_policy')];
