import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ledgerArchiveContract } from '../../tests/contracts/ledger-archive-contract.js';
import { SqliteArchive } from './sqlite-archive.js';
import { SqliteLedgerArchive } from './sqlite-ledger-archive.js';

ledgerArchiveContract('SqliteLedgerArchive (temp file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-ledger-archive-'));
  const path = join(dir, 'data', 'market_memory.sqlite');
  return {
    archive: SqliteLedgerArchive.open(path),
    reopen: async () => SqliteLedgerArchive.open(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteLedgerArchive in the embedded archive file', () => {
  it('shares market_memory.sqlite with the event archive, both writing through their own connections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-ledger-archive-'));
    const path = join(dir, 'market_memory.sqlite');
    const events = SqliteArchive.open(path);
    const ledger = SqliteLedgerArchive.open(path);
    await events.startRun({ runId: 'run-1', startedMs: Date.UTC(2026, 11, 7), source: 'replay:sample', symbols: ['AAPL'], capitalUsd: 100_000 });
    await ledger.commit('live', [{ seq: 1, kind: 'trade', tsMs: Date.UTC(2026, 11, 7, 15), payload: '{"a":1}' }], { marks: '{}' });
    await ledger.close();
    await events.close();
    const db = new Database(path, { readonly: true });
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['ledger_meta', 'ledger_records', 'runs', 'trades']));
    expect(db.prepare("SELECT book, seq, kind, ts, payload FROM ledger_records").all()).toEqual([
      { book: 'live', seq: 1, kind: 'trade', ts: '2026-12-07 15:00:00.000', payload: '{"a":1}' },
    ]);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the file when it cannot be opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-ledger-archive-'));
    expect(() => SqliteLedgerArchive.open(dir)).toThrow(`sqlite ledger.open failed: file "${dir}"`);
    rmSync(dir, { recursive: true, force: true });
  });
});
