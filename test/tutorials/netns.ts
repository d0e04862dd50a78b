import { spawn } from 'node:child_process';
import type { Test } from 'tap';
import { Proc } from './proc.js';

/**
 * A fresh network namespace holding only its own loopback: a node started in it listens on 5672 and
 * 15672 whatever holds them on this machine (RabbitMQ does here), and programs in it reach that node as
 * `localhost`; no traffic leaves it. A `cat` started by unshare holds it and ends when its stdin closes
 * (close(), or this process dying); the namespace goes once the last process in it has ended.
 */
export interface Netns {
  /** Starts `argv` in the namespace, leading its own process group (so stop() ends what it starts). */
  spawn(argv: readonly string[], opts?: { cwd?: string; env?: NodeJS.ProcessEnv }): Proc;
  close(): Promise<void>;
}

/** As root, a network namespace alone; otherwise inside a user namespace that maps us to root. */
const VARIANTS = [
  { unshare: ['--net'], nsenter: ['--net'] },
  { unshare: ['--user', '--map-root-user', '--net'], nsenter: ['--user', '--net', '--preserve-credentials'] },
];

/** A namespace, or why none can be made here (the caller skips with that reason). */
export async function openNetns(): Promise<Netns | { skip: string }> {
  const reasons: string[] = [];
  for (const v of VARIANTS) {
    const holder = new Proc(spawn('unshare', [...v.unshare, '--', 'sh', '-c', 'ip link set lo up && echo up && exec cat'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    try {
      await holder.until(/^up$/);
    } catch {
      await holder.stop('SIGKILL');
      reasons.push(`unshare ${v.unshare.join(' ')}: ${holder.stderr().trim() || 'could not run'}`);
      continue;
    }
    const target = ['--target', String(holder.child.pid), ...v.nsenter];
    return {
      spawn: (argv, opts = {}) =>
        new Proc(spawn('nsenter', [...target, '--', ...argv], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true }), true),
      close: async () => {
        holder.child.stdin!.end();
        await holder.stop('SIGTERM', 5000);
      },
    };
  }
  return { skip: reasons.join('; ') };
}

/**
 * A namespace for a test file, closed at its teardown; or, where none can be made, null and the reason
 * (printed as a comment) for the tests that need it to skip with.
 */
export async function netnsFor(t: Pick<Test, 'comment' | 'teardown'>, what: string): Promise<{ ns: Netns | null; skip: string | false }> {
  const opened = await openNetns();
  if ('skip' in opened) {
    const skip = `${what} needs a network namespace: ${opened.skip}`;
    t.comment(`skipping: ${skip}`);
    return { ns: null, skip };
  }
  t.teardown(() => opened.close());
  return { ns: opened, skip: false };
}
