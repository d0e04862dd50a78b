import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Logger } from '../../shared/log.js';
import type { VipConfig } from '../config.js';
import type { BindMode } from './bind-mode.js';
import type { VipHolder } from './holder.js';

function run(cmd: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000 }, (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}${stderr}`.trim() || (err?.message ?? '') }));
  });
}

/** The first executable named `name` on PATH (or in the sbin folders, which PATH may lack). */
export function findExecutable(name: string): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const d of dirs) {
    if (!d) continue;
    try {
      accessSync(join(d, name), constants.X_OK);
      return join(d, name);
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Linux mode, Keepalived's way: the active adds the VIP to an interface (`ip addr add VIP/PREFIX dev IF`),
 * opens its listeners on it and sends gratuitous ARPs (`arping -U`, when arping is installed) so that
 * neighbours update their ARP caches at once rather than after their entries go stale. Releasing closes
 * the listeners first, then deletes the address. Needs CAP_NET_ADMIN (root) and the `ip` tool (iproute2).
 */
export class LinuxMode implements VipHolder {
  private readonly cidr: string;

  constructor(
    private readonly cfg: VipConfig,
    private readonly bind: BindMode,
    private readonly log: Logger,
  ) {
    this.cidr = `${cfg.address}/${cfg.prefix}`;
  }

  async init(): Promise<void> {
    if (!findExecutable('ip')) throw new Error('vip-mode linux needs the ip command (iproute2)');
    const r = await run('ip', ['addr', 'del', this.cidr, 'dev', this.cfg.interface]);
    if (r.ok) this.log.warn({ vip: this.cidr, dev: this.cfg.interface }, 'removed a VIP left on the interface by an earlier run');
  }

  async acquire(): Promise<void> {
    const add = await run('ip', ['addr', 'add', this.cidr, 'dev', this.cfg.interface]);
    if (!add.ok && !/File exists/.test(add.out)) throw new Error(`ip addr add ${this.cidr} dev ${this.cfg.interface}: ${add.out}`);
    try {
      await this.bind.acquire();
    } catch (e) {
      await run('ip', ['addr', 'del', this.cidr, 'dev', this.cfg.interface]);
      throw e;
    }
    this.garp();
  }

  async release(opts: { closeSessions: boolean }): Promise<void> {
    await this.bind.release(opts);
    const del = await run('ip', ['addr', 'del', this.cidr, 'dev', this.cfg.interface]);
    if (!del.ok && !/Cannot assign requested address/.test(del.out)) this.log.error({ vip: this.cidr, out: del.out }, 'ip addr del failed');
  }

  /** Gratuitous ARP so the neighbours' caches point at us now (fire and forget). IPv6 is not covered. */
  private garp(): void {
    if (this.cfg.garpCount === 0 || isIP(this.cfg.address) !== 4) return;
    const arping = findExecutable('arping');
    if (!arping) {
      this.log.warn('arping not installed: no gratuitous ARP sent; neighbours learn the new MAC when their ARP entries expire');
      return;
    }
    void run(arping, ['-U', '-c', String(this.cfg.garpCount), '-w', String(this.cfg.garpCount + 1), '-I', this.cfg.interface, this.cfg.address]).then((r) => {
      if (!r.ok) this.log.warn({ out: r.out }, 'arping failed');
    });
  }
}
