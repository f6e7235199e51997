import { ErrorCode, InvariantError } from '../domain/index.js';

/**
 * A first-in first-out queue with a fixed capacity, on a ring buffer so
 * that both ends are O(1) and it allocates nothing after construction.
 */
export class BoundedQueue<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private size = 0;

  /** @param capacity the most items it holds, an integer >= 1. */
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new InvariantError(`queue capacity "${capacity}": expected an integer >= 1`, { code: ErrorCode.invariant });
    }
    this.items = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** How many items it holds. */
  get length(): number {
    return this.size;
  }

  /** Whether a push would be refused. */
  get full(): boolean {
    return this.size === this.capacity;
  }

  /** Appends `item`; returns false, leaving the queue as it was, when full. */
  push(item: T): boolean {
    if (this.size === this.capacity) return false;
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size += 1;
    return true;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size -= 1;
    return item;
  }
}
