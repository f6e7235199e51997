/**
 * The one contract every {@link LedgerArchive} adapter passes (the SQLite
 * and the MySQL archive), from the port's TSDoc in
 * src/storage/ledger-archive.ts: books come back exactly (records in seq
 * order with awkward payloads, meta), a commit is all or nothing, a commit
 * sent again after it landed is harmless, a commit that does not continue
 * the book is refused without writing, books are separate, and rename moves
 * a book aside.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/storage/errors.js';
import { BookInUse, type LedgerArchive } from '../../src/storage/ledger-archive.js';
import type { LedgerRecord } from '../../src/portfolio/ledger.js';

export type LedgerArchiveFixture = {
  readonly archive: LedgerArchive;
  /** A new adapter over the same storage (the suite closes `archive` first). */
  reopen(): Promise<LedgerArchive>;
  /**
   * An adapter over the same storage as another, live worker would hold it
   * (MySQL: another connection; SQLite: another process, still running).
   */
  rival(): Promise<LedgerArchive>;
  cleanup(): Promise<void>;
};

const PAYLOADS = [
  '{"side":"buy","symbol":"AAPL","qty":3,"priceCents":19012}',
  `{"note":"it's \\"quoted\\" and back\\\\slashed"}`,
  '{"name":"Société Générale","city":"Zürich","ja":"トヨタ自動車"}',
  '{"emoji":"🚀📈","zwj":"👩‍💻","rtl":"שלום"}',
  "line one\nline two\r\ttabbed ' ; DROP TABLE ledger_records; --\u0000after a NUL",
  '',
] as const;

/** Records from..to, at distinct ms instants from 2026-01-02T14:30:00.007Z, each with an awkward payload. */
function records(from: number, to: number, tag = ''): LedgerRecord[] {
  const out: LedgerRecord[] = [];
  for (let seq = from; seq <= to; seq += 1) {
    out.push({ seq, kind: seq % 3 === 0 ? 'day' : 'trade', tsMs: Date.UTC(2026, 0, 2, 14, 30, 0, 7) + seq * 1_001, payload: `${PAYLOADS[seq % PAYLOADS.length] ?? ''}${tag}` });
  }
  return out;
}

async function rejection(work: Promise<unknown>): Promise<StoreError> {
  const err = await work.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(StoreError);
  if (!(err instanceof StoreError)) throw new Error('unreachable');
  return err;
}

export function ledgerArchiveContract(name: string, make: () => Promise<LedgerArchiveFixture>): void {
  describe(`LedgerArchive contract: ${name}`, () => {
    let fixture: LedgerArchiveFixture;
    let archive: LedgerArchive;

    beforeEach(async () => {
      fixture = await make();
      archive = fixture.archive;
    });

    afterEach(async () => {
      await archive.close();
      await fixture.cleanup();
    });

    it('loads a book never written as empty', async () => {
      expect(await archive.load('live')).toEqual({ records: [], meta: {} });
    });

    it('gives back every record and meta value exactly, in seq order, after a reopen', async () => {
      await archive.commit('live', records(1, 4), { marks: '{"AAPL":190.12}', 'run.mode': 'live' });
      await archive.commit('live', records(5, 12), { marks: '{"AAPL":191.5,"MSFT":410}' });
      await archive.commit('live', [], { 'replay.lastTickMs': '1767364200123' });
      await archive.close();
      archive = await fixture.reopen();
      const book = await archive.load('live');
      expect(book.records).toEqual(records(1, 12));
      expect(book.meta).toEqual({ marks: '{"AAPL":191.5,"MSFT":410}', 'run.mode': 'live', 'replay.lastTickMs': '1767364200123' });
    });

    it('takes a commit sent again after it landed as done, storing nothing twice', async () => {
      await archive.commit('live', records(1, 3), { marks: '1' });
      await archive.commit('live', records(4, 6), { marks: '2' });
      await archive.commit('live', records(4, 6), { marks: '2' });
      await archive.commit('live', records(7, 7), { marks: '3' });
      expect((await archive.load('live')).records).toEqual(records(1, 7));
    });

    it('refuses, writing nothing, a commit that leaves a gap or brings other records at stored seqs', async () => {
      await archive.commit('live', records(1, 3), { marks: 'before' });
      const gap = await rejection(archive.commit('live', records(5, 6), { marks: 'gap' }));
      expect(gap.transient).toBe(false);
      expect(gap.store).toBe(archive.name);
      expect(gap.message).toContain('book "live"');
      const other = await rejection(archive.commit('live', records(2, 4, ' other writer'), { marks: 'other' }));
      expect(other.transient).toBe(false);
      const changed = await rejection(archive.commit('live', records(2, 3, ' changed'), { marks: 'changed' }));
      expect(changed.message).toContain('other records');
      expect(await archive.load('live')).toEqual({ records: records(1, 3), meta: { marks: 'before' } });
    });

    it('refuses records whose seqs are not consecutive before touching the store', async () => {
      const [a, , c] = records(1, 3);
      if (a === undefined || c === undefined) throw new Error('fixture');
      await expect(archive.commit('live', [a, c], {})).rejects.toThrow(/expected 2/);
      expect(await archive.load('live')).toEqual({ records: [], meta: {} });
    });

    it('keeps books apart and renames one aside', async () => {
      await archive.commit('replay', records(1, 5), { 'replay.finished': '1' });
      await archive.commit('live', records(1, 2, ' live'), { marks: 'live' });
      await archive.rename('replay', 'replay@2026-12-07T06-00-00-000Z');
      expect(await archive.load('replay')).toEqual({ records: [], meta: {} });
      expect(await archive.load('replay@2026-12-07T06-00-00-000Z')).toEqual({ records: records(1, 5), meta: { 'replay.finished': '1' } });
      expect(await archive.load('live')).toEqual({ records: records(1, 2, ' live'), meta: { marks: 'live' } });
      const taken = await rejection(archive.rename('live', 'replay@2026-12-07T06-00-00-000Z'));
      expect(taken.message).toContain('already exists');
      expect((await archive.load('live')).records).toHaveLength(2);
    });

    it('lets one worker claim a book: another live one is refused, naming who holds it, until the first closes', async () => {
      await archive.claim('live');
      await archive.claim('live'); // again, by the holder: harmless
      const rival = await fixture.rival();
      try {
        const refused = await rejection(rival.claim('live'));
        expect(refused).toBeInstanceOf(BookInUse);
        expect(refused.transient).toBe(false);
        expect(refused.message).toContain('book "live" is in use by another worker (');
        await rival.claim('other-book');
        await archive.close();
        archive = await fixture.reopen();
        await rival.claim('live');
        await expect(archive.claim('live')).rejects.toBeInstanceOf(BookInUse);
      } finally {
        await rival.close();
      }
      await archive.claim('live');
    });

    it('rejects a book name outside letters, digits and . _ @ : -', async () => {
      await expect(archive.load("x'; DROP TABLE ledger_meta; --")).rejects.toThrow(/expected 1 to 64 letters/);
      await expect(archive.commit('', records(1, 1), {})).rejects.toThrow(/ledger book ""/);
    });
  });
}
