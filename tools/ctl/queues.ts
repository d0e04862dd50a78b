import { ApiError, asObject, seg } from './client.js';
import type { Command } from './command.js';
import { EXIT, refusal } from './exit.js';

const queuePath = (vhost: string, name: string): string => `/api/queues/${seg(vhost)}/${seg(name)}`;

/** rabbitmqctl's reason for a refused conditional delete, from the API's "queue 'q' in vhost '/' not empty" / "... in use". */
function conditionRefusal(e: unknown): unknown {
  if (!(e instanceof ApiError && e.status === 400)) return e;
  if (/not empty$/.test(e.reason)) return refusal('Queue is not empty', EXIT.USAGE);
  if (/in use$/.test(e.reason)) return refusal('Queue is in use', EXIT.USAGE);
  return e;
}

/** purge_queue and delete_queue, with rabbitmqctl 3.10's messages and exit codes (64 and 69 for a missing queue). */
export const queueCommands: Command[] = [
  {
    name: 'purge_queue',
    usage: '[-p VHOST] NAME',
    summary: 'removes the ready messages of a queue',
    minArgs: 1,
    maxArgs: 1,
    options: ['vhost'],
    async run({ client, out, vhost, args: [name] }) {
      out.info(`Purging queue '${name!}' in vhost '${vhost}' ...`);
      await client.orElse(refusal('not_found', EXIT.UNAVAILABLE), 'DELETE', `${queuePath(vhost, name!)}/contents`);
    },
  },
  {
    name: 'delete_queue',
    usage: '[-p VHOST] NAME [-e|--if-empty] [-u|--if-unused]',
    summary: 'deletes a queue; --if-empty / --if-unused refuse when it has messages / consumers',
    minArgs: 1,
    maxArgs: 1,
    options: ['vhost', 'if-empty', 'if-unused'],
    async run({ client, out, vhost, values, args: [name] }) {
      const conditions = [values['if-empty'] ? 'if queue is empty' : '', values['if-unused'] ? 'if queue is unused' : ''].filter(Boolean);
      out.info(`Deleting queue '${name!}' on vhost '${vhost}' ${conditions.map((c) => `${c} `).join('and ')}...`);
      const notFound = refusal('Queue not found', EXIT.USAGE);
      const before = asObject(await client.orElse(notFound, 'GET', queuePath(vhost, name!)), 'a queue');
      const query = new URLSearchParams();
      if (values['if-empty']) query.set('if-empty', 'true');
      if (values['if-unused']) query.set('if-unused', 'true');
      try {
        await client.orElse(notFound, 'DELETE', `${queuePath(vhost, name!)}${query.size > 0 ? `?${query}` : ''}`);
      } catch (e) {
        throw conditionRefusal(e);
      }
      // the result, not an informational line: rabbitmqctl prints it with -q too
      out.write(`Queue was successfully deleted with ${String(before['messages_ready'] ?? 0)} ready messages\n`);
    },
  },
];
