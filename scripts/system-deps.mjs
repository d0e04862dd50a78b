// Debian packages the tests use (real servers and clients, never mocks). Installed with apt-get when
// missing and we are root; otherwise the tests that need them skip with a printed reason.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** [probe path, Debian package] */
const PACKAGES = [
  ['/usr/bin/redis-server', 'redis-server'],
  ['/usr/lib/python3/dist-packages/pika/__init__.py', 'python3-pika'],
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/bin/arping', 'iputils-arping'],
  ['/usr/bin/openssl', 'openssl'], // test certificates for the AMQPS listener
];

export function ensureSystemDeps() {
  const missing = PACKAGES.filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version']).status !== 0) {
    console.error(`system-deps: not installing ${missing.join(', ')} (needs root and apt-get); tests that need them will skip`);
    return;
  }
  console.error(`system-deps: installing ${missing.join(', ')}`);
  const apt = (args) => execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt(['install', '-y', '-qq', ...missing]);
  } catch {
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', ...missing]);
  }
}
