/**
 * A binary min-heap under a caller's ordering: O(log n) push and pop for the scheduling queue's
 * active and back-off lists.
 *
 * @module
 */

/** A min-heap; `before(a, b)` is true when `a` must come out first. */
export class BinaryHeap<T> {
  readonly #items: T[] = [];
  readonly #before: (a: T, b: T) => boolean;

  /** @param before the ordering: true when `a` comes out before `b`. */
  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  /** How many items are held. */
  get size(): number {
    return this.#items.length;
  }

  /** The first item, without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an item. */
  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let at = items.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#before(items[at], items[parent])) break;
      [items[at], items[parent]] = [items[parent], items[at]];
      at = parent;
    }
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const first = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        const right = left + 1;
        let next = at;
        if (left < items.length && this.#before(items[left], items[next])) next = left;
        if (right < items.length && this.#before(items[right], items[next])) next = right;
        if (next === at) break;
        [items[at], items[next]] = [items[next], items[at]];
        at = next;
      }
    }
    return first;
  }
}
