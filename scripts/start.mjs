// `npm start`: install if needed, build, then run one node with embedded defaults (AMQP 5672, ./data,
// no Redis). Extra arguments go to the node: `npm start -- --amqp-port 5673`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { prepare, root } from './prepare.mjs';

prepare();
const child = spawn(process.execPath, [join(root, 'dist', 'node', 'main.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
