// The load generators: amqpload (neutral, C, built from ../shared/bench when that exists) and warren-perf
// (this repo's). Both take the same flags except the address, and both print one JSON line.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Builds amqpload into a temp folder; returns its path, or the reason it cannot be used. */
export function buildAmqpload(root) {
  const build = join(root, '..', 'shared', 'bench', 'build.sh');
  if (!existsSync(build)) return { reason: `${build} not found` };
  const out = join(mkdtempSync(join(tmpdir(), 'amqpload-')), 'amqpload');
  try {
    execFileSync('bash', [build, out], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    return { path: out };
  } catch (e) {
    return { reason: `build failed: ${String(e.stderr ?? e.message).trim().split('\n').slice(-2).join(' ')}` };
  }
}

/** The argv that runs `tool` against `broker` with the shared flags. */
export function commandFor(tool, root, broker, flags) {
  if (tool.kind === 'amqpload') return [tool.path, '--host', broker.host, '--port', String(broker.port), ...flags];
  const uri = `amqp://guest:guest@${broker.host}:${broker.port}`;
  return [process.execPath, join(root, 'dist', 'tools', 'perf', 'main.js'), '--uri', uri, '--quiet', ...flags];
}

/**
 * Runs one generator invocation, killed (by its pid) if it outlives timeoutMs. Resolves with the parsed
 * JSON line, or { error } when it printed none.
 */
export function runTool(argv, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      try {
        if (line) return resolve(JSON.parse(line));
      } catch {
        // fall through
      }
      resolve({ error: `exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ') || 'no output'}` });
    });
  });
}
