import { afterEach, describe, expect, it } from 'vitest';
import { episodicContract } from '../../tests/contracts/episodic-contract.js';
import type { StoredEvent } from './ports.js';
import { EPISODIC_TTL_S, MemoryEpisodicMemory } from './memory-episodic.js';

/** 2026-01-02T14:30:00Z: where every injected clock starts. */
const START_MS = Date.UTC(2026, 0, 2, 14, 30);

/** A clock the test moves by hand. */
function manualClock(): { readonly now: () => number; advance(ms: number): void } {
  let nowMs = START_MS;
  return {
    now: () => nowMs,
    advance: (ms) => {
      nowMs += ms;
    },
  };
}

function quote(seq: number): StoredEvent {
  return { kind: 'quote', symbol: 'AAPL', price: 180 + seq, source: 'yahoo', id: `run1:quote:${seq}`, runId: 'run1', tsMs: START_MS + seq };
}

episodicContract('MemoryEpisodicMemory (injected clock)', async ({ ttlS }) => {
  const clock = manualClock();
  const memory = new MemoryEpisodicMemory({ ttlS, now: clock.now });
  return {
    memory,
    expireAll: async () => clock.advance(ttlS * 1_000 + 1),
    cleanup: () => memory.close(),
  };
});

describe('MemoryEpisodicMemory', () => {
  const opened: MemoryEpisodicMemory[] = [];
  function open(options: ConstructorParameters<typeof MemoryEpisodicMemory>[0]): MemoryEpisodicMemory {
    const memory = new MemoryEpisodicMemory(options);
    opened.push(memory);
    return memory;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((memory) => memory.close()));
  });

  it('keeps entries for the default 3600 s, through the expiry instant, and drops them 1 ms later', async () => {
    const clock = manualClock();
    const memory = open({ now: clock.now });
    await memory.write([quote(1)]);
    clock.advance(EPISODIC_TTL_S * 1_000);
    expect(EPISODIC_TTL_S).toBe(3600);
    expect(await memory.latest('quote', 'AAPL')).toStrictEqual(quote(1));
    expect(await memory.recent(5)).toStrictEqual([quote(1)]);
    clock.advance(1);
    expect(await memory.latest('quote', 'AAPL')).toBeUndefined();
    expect(await memory.recent(5)).toStrictEqual([]);
  });

  it('expires each stream entry on its own clock: older ones go first', async () => {
    const clock = manualClock();
    const memory = open({ ttlS: 10, now: clock.now });
    await memory.write([quote(1)]);
    clock.advance(6_000);
    await memory.write([quote(2)]);
    clock.advance(4_001);
    expect(await memory.recent(5)).toStrictEqual([quote(2)]);
    expect(await memory.latest('quote', 'AAPL')).toStrictEqual(quote(2));
  });

  it('trims the stream to exactly maxStream entries, dropping the oldest', async () => {
    const memory = open({ maxStream: 3 });
    await memory.write([quote(1), quote(2)]);
    await memory.write([quote(3), quote(4), quote(5)]);
    expect(await memory.recent(10)).toStrictEqual([quote(3), quote(4), quote(5)]);
  });

  it('sweeps expired entries out of memory and counts them', async () => {
    const clock = manualClock();
    const memory = open({ ttlS: 5, now: clock.now });
    await memory.write([quote(1), quote(2)]);
    expect(memory.sweep()).toBe(0);
    clock.advance(5_001);
    // Two stream entries plus the one latest-quote slot.
    expect(memory.sweep()).toBe(3);
    expect(memory.sweep()).toBe(0);
  });

  it('sweeps on its timer without any read', async () => {
    const clock = manualClock();
    const memory = open({ ttlS: 5, now: clock.now, sweepIntervalMs: 5 });
    await memory.write([quote(1)]);
    clock.advance(5_001);
    // Twenty sweep intervals: the timer has run; a manual sweep finds nothing left.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(memory.sweep()).toBe(0);
  });
});
