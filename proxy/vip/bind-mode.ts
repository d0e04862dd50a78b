import type { Logger } from '../../shared/log.js';
import type { Frontend } from '../frontend.js';
import type { VipHolder } from './holder.js';

/**
 * Bind mode: holding the VIP means having the VIP frontends' listeners open (on the VIP address, or on the
 * configured addresses in kubernetes mode). The standby does not listen. On one host (loopback aliases
 * such as 127.0.0.50 in tests) the kernel lets only one process bind the address and port, which makes
 * the listening socket itself the token; across hosts, pair it with something that routes the VIP to the
 * active (or use linux mode).
 */
export class BindMode implements VipHolder {
  constructor(
    private readonly frontends: () => Frontend[],
    private readonly log: Logger,
  ) {}

  async init(): Promise<void> {}

  async acquire(): Promise<void> {
    const opened: Frontend[] = [];
    try {
      for (const fe of this.frontends()) {
        await fe.open();
        opened.push(fe);
      }
    } catch (e) {
      for (const fe of opened) fe.close();
      throw e;
    }
  }

  release(opts: { closeSessions: boolean }): Promise<void> {
    for (const fe of this.frontends()) {
      fe.close();
      if (opts.closeSessions) {
        const n = fe.closeSessions('VIP released');
        if (n > 0) this.log.warn({ frontend: fe.name, sessions: n }, 'closed sessions on releasing the VIP');
      }
    }
    return Promise.resolve();
  }
}
