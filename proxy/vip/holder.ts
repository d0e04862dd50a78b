/**
 * How a proxy takes and gives up the VIP: bind mode opens the VIP listeners; linux mode also adds the
 * address to an interface; kubernetes mode opens its listeners and is the only ready pod.
 */
export interface VipHolder {
  /** Startup: undo anything a crashed predecessor left (we start as standby). */
  init(): Promise<void>;
  /**
   * Takes the address and opens the listeners. Rejects if it cannot yet (another process on this host still
   * has the socket): the controller retries every tick.
   */
  acquire(): Promise<void>;
  /**
   * Stops serving: the listening sockets are closed before this returns its promise (synchronously), so a
   * fenced proxy accepts nothing more even if the rest (removing the address) takes a while.
   */
  release(opts: { closeSessions: boolean }): Promise<void>;
}
