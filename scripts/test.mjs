// `npm test`: the whole suite from a fresh clone. Installs npm and Debian dependencies where missing,
// builds, then runs every compiled test under dist/test with tap. Arguments narrow the run to files
// whose path contains them: `npm test -- amqp/frame`.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { prepare, root, run } from './prepare.mjs';
import { ensureSystemDeps } from './system-deps.mjs';

prepare();
ensureSystemDeps();

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.test.js') ? [join(dir, d.name)] : [],
  );
}
const filters = process.argv.slice(2);
const files = walk(join(root, 'dist', 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('test: no test files matched');
  process.exit(1);
}
try {
  run(join(root, 'node_modules', '.bin', 'tap'), files);
} catch (e) {
  process.exit(e.status ?? 1);
}
