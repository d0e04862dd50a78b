// Waits that close() can cut short: a message held back before a requeue is handed back at once when
// the consumer closes, instead of keeping the process alive or being forgotten unsettled.
export class Delays {
  private readonly pending = new Set<() => void>();

  wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending.add(done);
    });
  }

  /** Ends every wait now. */
  flush(): void {
    for (const done of [...this.pending]) done();
  }
}
