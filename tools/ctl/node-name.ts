import { hostname } from 'node:os';

/**
 * The management API host for rabbitmqctl's -n/--node NAME@HOST. warrenctl talks HTTP to one node's
 * management API, so only HOST matters: NAME is not checked. A node on this machine (no @HOST, or this
 * machine's host name, as rabbitmqctl's default rabbit@<hostname> is) means the local API at 127.0.0.1.
 */
export function hostOfNode(node: string): string {
  const at = node.lastIndexOf('@');
  const host = at < 0 ? '' : node.slice(at + 1);
  const here = hostname().toLowerCase();
  const local = ['', 'localhost', here, here.split('.')[0]];
  return local.includes(host.toLowerCase()) ? '127.0.0.1' : host;
}
