/**
 * The node as a user starts it, `node dist/node/main.js ARGS`, with exactly the flags and WARREN_*
 * variables a test gives: none are added, and none leak in from the shell running the tests.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, waitForPort } from '../../helpers/node.js';
import { childEnv, Proc } from '../../tutorials/proc.js';
import { within, type Scope } from '../broker/helpers.js';

export const MAIN = join(ROOT, 'dist', 'node', 'main.js');

/** How long a node may take to start (or to refuse to): generous, as test machines are often loaded. */
export const START_MS = 60_000;

export interface RunOptions {
  readonly cwd?: string;
  /** what to run instead of `node dist/node/main.js` (ARGS follow it) */
  readonly command?: readonly string[];
}

/** Spawns the node (or `command`), SIGKILLed at teardown if still running. */
export function run(t: Scope, args: readonly string[], env: NodeJS.ProcessEnv = {}, opts: RunOptions = {}): Proc {
  const [cmd, ...pre] = opts.command ?? [process.execPath, MAIN];
  const p = new Proc(spawn(cmd!, [...pre, ...args], { env: childEnv(env), cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  t.teardown(() => p.stop('SIGKILL'));
  return p;
}

/** Starts a node and waits until `port` (which its settings name) accepts connections. */
export async function start(t: Scope, port: number, args: readonly string[], env: NodeJS.ProcessEnv = {}, opts: RunOptions = {}): Promise<Proc> {
  const p = run(t, args, env, opts);
  const died = p.exited.then((code) => {
    throw new Error(`node exited (${String(code)}) before listening on ${port}: ${p.stderr()}${p.stdout().slice(0, 2000)}`);
  });
  await Promise.race([waitForPort(port, START_MS), died]);
  died.catch(() => {});
  return p;
}

/** Runs a node that must refuse to start: its exit code and every line it printed. */
export async function refused(t: Scope, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; lines: string[] }> {
  const p = run(t, args, env);
  const code = await within(p.exited, 'the node to exit', START_MS);
  return { code, lines: (p.stdout() + p.stderr()).split('\n').filter((l) => l !== '') };
}

/** GET on the management API as `user`, answering the status and the parsed body. */
export async function mgmtGet(port: number, path: string, user: string, pass: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } });
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text() };
}
