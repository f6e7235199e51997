import { describe, expect, it } from 'vitest';
import { InvariantError } from '../domain/index.js';
import { BoundedQueue } from './bounded-queue.js';

describe('BoundedQueue', () => {
  it('keeps first-in first-out order across the end of its ring', () => {
    const q = new BoundedQueue<number>(3);
    const out: (number | undefined)[] = [];
    [1, 2, 3].forEach((i) => q.push(i));
    for (let i = 4; i <= 7; i += 1) {
      out.push(q.shift());
      expect(q.push(i)).toBe(true);
    }
    while (q.length > 0) out.push(q.shift());
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a capacity of %s', (capacity) => {
    expect(() => new BoundedQueue(capacity)).toThrow(InvariantError);
  });

  it('refuses a push when full and leaves its contents alone', () => {
    const q = new BoundedQueue<string>(2);
    expect([q.push('a'), q.push('b'), q.push('c')]).toEqual([true, true, false]);
    expect([q.length, q.shift(), q.shift(), q.shift()]).toEqual([2, 'a', 'b', undefined]);
  });
});
