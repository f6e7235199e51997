/**
 * The one contract every {@link Ledger} adapter passes (STYLE.md: each port
 * has one contract suite). The expectations come from the port's TSDoc in
 * src/portfolio/ledger.ts: seq is 1, 2, 3, … with no gaps, a wrong seq
 * throws and writes nothing, records come back exactly and in seq order,
 * lastSeq is 0 when empty, meta is a key-value store, and a durable adapter
 * keeps all of it across close and reopen.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, InvariantError } from '../../src/domain/index.js';
import type { Ledger, LedgerRecord } from '../../src/portfolio/ledger.js';

/** A fresh, empty ledger for one test. */
export type LedgerFixture = {
  readonly ledger: Ledger;
  /**
   * For durable adapters: a new Ledger over the same storage. The suite
   * closes `ledger` first and closes what `reopen` returns itself.
   */
  readonly reopen?: () => Ledger;
  /** Releases everything the fixture made (close may already have run). */
  cleanup(): void;
};

/** Payloads that break naive quoting or encoding: quotes, backslashes, non-ASCII, astral, control characters. */
const AWKWARD_PAYLOADS = [
  '{"side":"buy","symbol":"AAPL","qty":3,"priceCents":19012}',
  `{"note":"it's \\"quoted\\" and back\\\\slashed"}`,
  '{"name":"Société Générale","city":"Zürich","yen":"¥","ru":"Сбербанк","ja":"トヨタ自動車"}',
  '{"emoji":"🚀📈","zwj":"👩‍💻","rtl":"שלום"}',
  "line one\nline two\r\ttabbed ' ; DROP TABLE ledger; --\u0000after a NUL",
  '',
] as const;

/** Records 1..n, each with an awkward payload, at distinct epoch-ms times from 2026-01-02T14:30:00Z. */
function sampleRecords(n: number): LedgerRecord[] {
  const baseMs = Date.UTC(2026, 0, 2, 14, 30);
  return Array.from({ length: n }, (_, i) => ({
    seq: i + 1,
    kind: i % 2 === 0 ? 'trade' : 'day',
    tsMs: baseMs + i * 1_000,
    payload: AWKWARD_PAYLOADS[i % AWKWARD_PAYLOADS.length] ?? '',
  }));
}

function appendAll(ledger: Ledger, records: readonly LedgerRecord[]): void {
  for (const record of records) ledger.append(record);
}

/** Asserts `append` throws the port's invariant error naming the offered and the expected seq. */
function expectSeqRejected(ledger: Ledger, seq: number): void {
  const expected = ledger.lastSeq() + 1;
  let thrown: unknown;
  try {
    ledger.append({ seq, kind: 'trade', tsMs: 0, payload: '{}' });
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(InvariantError);
  expect(thrown).toMatchObject({ code: ErrorCode.invariant });
  const message = thrown instanceof Error ? thrown.message : '';
  expect(message).toMatch(new RegExp(`(^|[^\\d.])${String(seq).replace('.', '\\.')}([^\\d.]|$)`));
  expect(message).toMatch(new RegExp(`(^|[^\\d.])${expected}([^\\d.]|$)`));
}

/** Registers the Ledger contract for one adapter; `make` is called once per test. */
function mustReopen(fixture: LedgerFixture): () => Ledger {
  if (fixture.reopen === undefined) throw new Error('a durable fixture must provide reopen');
  return fixture.reopen;
}

export function ledgerContract(name: string, make: () => LedgerFixture): void {
  // Durable adapters (those that can reopen) also run the close-and-reopen cases;
  // in-memory ones do not register them at all.
  const durable = (() => {
    const probe = make();
    const canReopen = probe.reopen !== undefined;
    probe.cleanup();
    return canReopen;
  })();
  describe(`${name} satisfies the Ledger contract`, () => {
    let fixture: LedgerFixture;
    beforeEach(() => {
      fixture = make();
    });
    afterEach(() => {
      fixture.cleanup();
    });

    it('is empty when new: lastSeq 0, no records, no meta', () => {
      expect(fixture.ledger.lastSeq()).toBe(0);
      expect(fixture.ledger.records()).toEqual([]);
      expect(fixture.ledger.getMeta('replay.lastTickMs')).toBeUndefined();
    });

    it('returns appended records exactly and in seq order, including quotes and unicode', () => {
      const records = sampleRecords(12);
      appendAll(fixture.ledger, records);
      expect(fixture.ledger.records()).toEqual(records);
      expect(fixture.ledger.lastSeq()).toBe(12);
    });

    it('round-trips any kind, payload and safe-integer time (fast-check, seed 20260102)', () => {
      const recordSpec = fc.record({
        kind: fc.string({ unit: 'binary', maxLength: 12 }),
        tsMs: fc.maxSafeInteger(),
        payload: fc.string({ unit: 'binary', maxLength: 200 }),
      });
      fc.assert(
        fc.property(fc.array(recordSpec, { maxLength: 8 }), (specs) => {
          const run = make();
          try {
            const records = specs.map((spec, i) => ({ seq: i + 1, ...spec }));
            appendAll(run.ledger, records);
            expect(run.ledger.records()).toEqual(records);
            expect(run.ledger.lastSeq()).toBe(records.length);
          } finally {
            run.cleanup();
          }
        }),
        { seed: 20260102, numRuns: 40 },
      );
    });

    it.each([
      ['a first seq of 0', 0, 0],
      ['a first seq of 2 (gap)', 0, 2],
      ['a repeated seq', 3, 3],
      ['an earlier seq', 3, 1],
      ['a gap after 3', 3, 5],
      ['a fractional seq', 3, 3.5],
      ['a negative seq', 3, -4],
    ])('rejects %s and leaves the ledger unchanged', (_title, before, seq) => {
      const records = sampleRecords(before);
      appendAll(fixture.ledger, records);
      expectSeqRejected(fixture.ledger, seq);
      expect(fixture.ledger.lastSeq()).toBe(before);
      expect(fixture.ledger.records()).toEqual(records);
    });

    it('accepts the right seq after rejecting a wrong one', () => {
      appendAll(fixture.ledger, sampleRecords(2));
      expectSeqRejected(fixture.ledger, 4);
      const third = sampleRecords(3)[2];
      if (third === undefined) throw new Error('sampleRecords(3) has a third record');
      fixture.ledger.append(third);
      expect(fixture.ledger.lastSeq()).toBe(3);
      expect(fixture.ledger.records()).toEqual(sampleRecords(3));
    });

    it('stores, overwrites and keeps meta keys apart, apart from the records', () => {
      const { ledger } = fixture;
      ledger.setMeta('replay.lastTickMs', '1767364200000');
      ledger.setMeta('run.note', 'Zürich "open" 🚀');
      ledger.setMeta('empty', '');
      ledger.setMeta('replay.lastTickMs', '1767364260000');
      expect(ledger.getMeta('replay.lastTickMs')).toBe('1767364260000');
      expect(ledger.getMeta('run.note')).toBe('Zürich "open" 🚀');
      expect(ledger.getMeta('empty')).toBe('');
      expect(ledger.getMeta('replay.lasttickms')).toBeUndefined();
      expect(ledger.lastSeq()).toBe(0);
      expect(ledger.records()).toEqual([]);
    });

    it('stores all of an atomic unit, or nothing of it when it throws', () => {
      const { ledger } = fixture;
      const [first, second, third] = sampleRecords(3);
      if (!first || !second || !third) throw new Error('sampleRecords(3) has three records');
      const value = ledger.atomically(() => {
        ledger.append(first);
        ledger.setMeta('replay.lastTickMs', '100');
        return 'kept';
      });
      expect(value).toBe('kept');
      expect(() =>
        ledger.atomically(() => {
          ledger.append(second);
          ledger.append(third);
          ledger.setMeta('replay.lastTickMs', '200');
          throw new Error('crash inside the unit');
        }),
      ).toThrow('crash inside the unit');
      expect(ledger.records()).toEqual([first]);
      expect(ledger.lastSeq()).toBe(1);
      expect(ledger.getMeta('replay.lastTickMs')).toBe('100');
      ledger.append(second);
      expect(ledger.records()).toEqual([first, second]);
    });

    it('closes idempotently', () => {
      fixture.ledger.close();
      expect(() => fixture.ledger.close()).not.toThrow();
    });

    if (durable) {
      it('keeps records, lastSeq and meta across close and reopen', () => {
        const reopen = mustReopen(fixture);
        const records = sampleRecords(7);
        appendAll(fixture.ledger, records);
        fixture.ledger.setMeta('replay.lastTickMs', '1767364200000');
        fixture.ledger.setMeta('replay.lastTickMs', '1767364260000');
        fixture.ledger.close();
        const reopened = reopen();
        try {
          expect(reopened.records()).toEqual(records);
          expect(reopened.lastSeq()).toBe(7);
          expect(reopened.getMeta('replay.lastTickMs')).toBe('1767364260000');
        } finally {
          reopened.close();
        }
      });

      it('continues at lastSeq + 1 after reopen and still rejects gaps', () => {
        const reopen = mustReopen(fixture);
        appendAll(fixture.ledger, sampleRecords(3));
        fixture.ledger.close();
        const reopened = reopen();
        try {
          expectSeqRejected(reopened, 3);
          expectSeqRejected(reopened, 5);
          const fourth = sampleRecords(4)[3];
          if (fourth === undefined) throw new Error('sampleRecords(4) has a fourth record');
          reopened.append(fourth);
          expect(reopened.records()).toEqual(sampleRecords(4));
        } finally {
          reopened.close();
        }
        const again = reopen();
        try {
          expect(again.lastSeq()).toBe(4);
          expect(again.records()).toEqual(sampleRecords(4));
        } finally {
          again.close();
        }
      });
    }
  });
}
