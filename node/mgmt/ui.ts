import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Static files of the web UI: plain HTML/JS/CSS served from node/mgmt/ui in the package (no build step). */
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'node', 'mgmt', 'ui');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

export function serveUi(path: string, res: ServerResponse): void {
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = readFileSync(join(ROOT, rel));
    res.setHeader('Content-Type', TYPES[extname(rel)] ?? 'application/octet-stream');
    res.end(body);
  } catch {
    res.statusCode = 404;
    res.end('not found');
  }
}
