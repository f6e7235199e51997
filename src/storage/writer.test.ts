import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { MemoryEpisodicMemory } from './memory-episodic.js';
import type { EventSink, StoredEvent } from './ports.js';
import { StoreWriter } from './writer.js';

/** The embedded episodic store behind a switch that makes it refuse writes, as a dead server would. */
class Switchable implements EventSink {
  readonly name = 'memory';
  down = false;
  /** Every event id the store accepted, in order, duplicates included. */
  readonly accepted: string[] = [];
  readonly store = new MemoryEpisodicMemory({ ttlS: 3600 });

  async write(events: readonly StoredEvent[]): Promise<void> {
    if (this.down) throw new StoreError('memory', 'write', 'down for the test', { transient: true });
    await this.store.write(events);
    this.accepted.push(...events.map((e) => e.id));
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

const quote = (n: number): StoredEvent => ({ kind: 'quote', id: `run1:quote:${n}`, runId: 'run1', tsMs: 1_700_000_000_000 + n, symbol: 'AAPL', price: 100 + n, source: 'replay' });

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function writer(sink: EventSink, spoolDir: string): StoreWriter {
  return new StoreWriter({ sink, spoolDir, flushIntervalMs: 5, attempts: 2, breakerThreshold: 2, halfOpenAfterMs: 50, batchSize: 7 });
}

describe('StoreWriter', () => {
  it('writes every queued event in order, in batches', async () => {
    const sink = new Switchable();
    const w = writer(sink, mkdtempSync(join(tmpdir(), 'mi-spool-')));
    w.start();
    for (let n = 1; n <= 30; n++) w.enqueue(quote(n));
    await until(() => sink.accepted.length === 30, 'all 30 events');
    expect(sink.accepted).toEqual(Array.from({ length: 30 }, (_, i) => `run1:quote:${i + 1}`));
    expect(w.stats()).toMatchObject({ store: 'memory', backlog: 0, written: 30, spooled: 0, breaker: 'closed' });
    await w.close();
  });

  it('spills to its journal while the store is down and replays it, in order, once it is back: nothing lost', async () => {
    const sink = new Switchable();
    const dir = mkdtempSync(join(tmpdir(), 'mi-spool-'));
    const w = writer(sink, dir);
    w.start();
    for (let n = 1; n <= 5; n++) w.enqueue(quote(n));
    await until(() => sink.accepted.length === 5, 'the first events');
    sink.down = true;
    for (let n = 6; n <= 40; n++) w.enqueue(quote(n));
    await until(() => w.stats().spooled === 35, 'the events to spill');
    const journal = join(dir, 'memory.jsonl');
    expect(readFileSync(journal, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as StoredEvent).id)).toEqual(
      Array.from({ length: 35 }, (_, i) => `run1:quote:${i + 6}`),
    );
    expect(w.stats().backlog).toBe(35);
    for (let n = 41; n <= 45; n++) w.enqueue(quote(n));
    sink.down = false;
    await until(() => w.stats().backlog === 0, 'the backlog to drain');
    expect(new Set(sink.accepted)).toEqual(new Set(Array.from({ length: 45 }, (_, i) => `run1:quote:${i + 1}`)));
    // The journal went first: the order the store saw is the order of the events.
    const firstSeen = [...new Set(sink.accepted)];
    expect(firstSeen).toEqual(Array.from({ length: 45 }, (_, i) => `run1:quote:${i + 1}`));
    expect(existsSync(journal)).toBe(false);
    await w.close();
  });

  it('keeps what it could not write in the journal at close, and a new writer delivers it', async () => {
    const down = new Switchable();
    down.down = true;
    const dir = mkdtempSync(join(tmpdir(), 'mi-spool-'));
    const first = writer(down, dir);
    first.start();
    for (let n = 1; n <= 12; n++) first.enqueue(quote(n));
    await first.close(200);
    expect(first.stats()).toMatchObject({ backlog: 12, spooled: 12, queued: 0 });

    const up = new Switchable();
    const second = writer(up, dir);
    expect(second.stats().spooled).toBe(12);
    second.start();
    second.enqueue(quote(13));
    await until(() => up.accepted.length === 13, 'the journal and the new event');
    expect(up.accepted).toEqual(Array.from({ length: 13 }, (_, i) => `run1:quote:${i + 1}`));
    expect((await up.store.latest('quote', 'AAPL'))?.id).toBe('run1:quote:13');
    await second.close();
  });

  it('sets aside a batch the store refuses for good and writes the rest', async () => {
    const sink = new Switchable();
    const poison = { ...quote(3), price: Number.NaN };
    const picky: EventSink = {
      name: 'memory',
      write: async (events) => {
        if (events.some((e) => e.kind === 'quote' && Number.isNaN(e.price))) throw new StoreError('memory', 'write', 'price NaN', { transient: false });
        await sink.write(events);
      },
      close: () => sink.close(),
    };
    const dir = mkdtempSync(join(tmpdir(), 'mi-spool-'));
    const w = new StoreWriter({ sink: picky, spoolDir: dir, flushIntervalMs: 5, batchSize: 1 });
    w.start();
    for (const e of [quote(1), quote(2), poison, quote(4)]) w.enqueue(e);
    await until(() => w.stats().backlog === 0 && sink.accepted.length === 3, 'the good events');
    expect(sink.accepted).toEqual(['run1:quote:1', 'run1:quote:2', 'run1:quote:4']);
    expect(w.stats()).toMatchObject({ rejected: 1, spooled: 0 });
    expect(readFileSync(join(dir, 'memory.rejected.jsonl'), 'utf8')).toContain('"id":"run1:quote:3"');
    await w.close();
  });

  it('never makes the caller wait or throw, however slow or dead the store', () => {
    const sink = new Switchable();
    sink.down = true;
    const w = writer(sink, mkdtempSync(join(tmpdir(), 'mi-spool-')));
    for (let n = 1; n <= 1000; n++) expect(() => w.enqueue(quote(n))).not.toThrow();
    expect(w.stats().queued).toBe(1000);
  });
});
