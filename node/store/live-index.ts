/**
 * Recovery's live messages by id, in id order. The store hands out ids in append order, so replay sees
 * them ascending: two arrays and a binary search replace a Map, which cost a second per million messages
 * in rehashing alone.
 */
export class LiveIndex<T> {
  private readonly ids: number[] = [];
  /** null once settled. */
  private readonly items: (T | null)[] = [];
  size = 0;

  add(id: number, item: T): void {
    const n = this.ids.length;
    if (n === 0 || id > this.ids[n - 1]!) {
      this.ids.push(id);
      this.items.push(item);
    } else {
      // not in a log this store wrote; kept correct (id order) for any log
      const i = this.indexOf(id);
      if (this.ids[i] === id) {
        if (this.items[i] === null) this.size++;
        this.items[i] = item;
        return;
      }
      this.ids.splice(i, 0, id);
      this.items.splice(i, 0, item);
    }
    this.size++;
  }

  /** Removes and returns the live item with this id, if any. */
  take(id: number): T | null {
    const i = this.indexOf(id);
    if (this.ids[i] !== id) return null;
    const item = this.items[i]!;
    this.items[i] = null;
    if (item !== null) this.size--;
    return item;
  }

  *values(): IterableIterator<T> {
    for (const item of this.items) if (item !== null) yield item;
  }

  /** The first index whose id is >= `id`. */
  private indexOf(id: number): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
