import { parentPort, workerData } from 'node:worker_threads';
import { AmqpClient } from './client.js';
import { Consumer } from './consumer.js';
import type { PerfOptions } from './options.js';
import { Producer } from './producer.js';
import { PROGRESS_SLOTS, Slot, Stats, type Window } from './stats.js';

/** What the coordinator hands one worker thread: which clients it runs and where it reports progress. */
export interface WorkerInit {
  options: PerfOptions;
  roles: { kind: 'producer' | 'consumer'; id: number }[];
  progress: SharedArrayBuffer;
  index: number;
}

export type ToWorker = { type: 'go'; window: Window };
export type FromWorker =
  | { type: 'ready'; failed: number; errors: string[] }
  | { type: 'done'; result: ReturnType<Stats['toResult']> };

const init = workerData as WorkerInit;
const port = parentPort!;
const stats = new Stats();
const progress = new Float64Array(init.progress, init.index * PROGRESS_SLOTS * 8, PROGRESS_SLOTS);
const o = init.options;

interface Running {
  client: AmqpClient;
  role: Producer | Consumer;
}

async function openOne(kind: 'producer' | 'consumer', id: number, win: Window): Promise<Running> {
  const client = await AmqpClient.open(o);
  const role = kind === 'producer' ? new Producer(client, o, id, stats, win) : new Consumer(client, o, id, stats, win);
  try {
    await role.prepare();
  } catch (e) {
    await client.close();
    throw e;
  }
  return { client, role };
}

async function main(): Promise<void> {
  // The window is only known at 'go'; clients hold this object and see it filled in then.
  const win: Window = { t0: Infinity, w0: Infinity, w1: Infinity, hardStop: Infinity };
  const settled = await Promise.allSettled(init.roles.map((r) => openOne(r.kind, r.id, win)));
  const running: Running[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') running.push(s.value);
    else stats.error(`${init.roles[i]!.kind} ${init.roles[i]!.id}`, (s.reason as Error).message);
  });
  const go = new Promise<Window>((resolve) => port.once('message', (m: ToWorker) => resolve(m.window)));
  port.postMessage({ type: 'ready', failed: init.roles.length - running.length, errors: stats.errors } satisfies FromWorker);
  Object.assign(win, await go);

  const publish = setInterval(() => {
    progress[Slot.Published] = stats.pubTotal;
    progress[Slot.Confirmed] = stats.confTotal;
    progress[Slot.Consumed] = stats.consTotal;
  }, 200);
  for (const r of running) r.role.start();
  // producers first, then consumers drain what is left
  await Promise.all(running.filter((r) => r.role instanceof Producer).map((r) => r.role.done));
  await Promise.all(running.filter((r) => r.role instanceof Consumer).map((r) => r.role.done));
  clearInterval(publish);
  for (const r of running) {
    stats.blockedEvents += r.client.blockedEvents;
    stats.returned += r.client.returned;
  }
  await Promise.all(running.map((r) => r.client.close()));
  port.postMessage({ type: 'done', result: stats.toResult() } satisfies FromWorker);
}

main().catch((e: Error) => {
  stats.error('worker', e.stack ?? e.message);
  port.postMessage({ type: 'done', result: stats.toResult() } satisfies FromWorker);
});
