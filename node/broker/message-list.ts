/**
 * A FIFO deque on a growable ring buffer: O(1) push, shift and unshift without the O(n) cost of
 * Array.prototype.shift on long queues. Slots are cleared on removal so settled messages are collectable.
 */
export class Deque<T> {
  private items: (T | undefined)[] = new Array(16);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  unshift(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  at(i: number): T | undefined {
    return i < 0 || i >= this.count ? undefined : this.items[(this.head + i) & (this.items.length - 1)];
  }

  /** Insert at index i (0 = head); O(distance to the nearer end is not optimised: O(n - i)). */
  insert(i: number, item: T): void {
    if (i <= 0) return this.unshift(item);
    if (i >= this.count) return this.push(item);
    this.push(item);
    const mask = this.items.length - 1;
    for (let k = this.count - 1; k > i; k--) {
      this.items[(this.head + k) & mask] = this.items[(this.head + k - 1) & mask];
    }
    this.items[(this.head + i) & mask] = item;
  }

  private grow(): void {
    const next: (T | undefined)[] = new Array(this.items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = next;
    this.head = 0;
  }
}
