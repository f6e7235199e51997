import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ledgerArchiveContract } from '../../tests/contracts/ledger-archive-contract.js';
import { BookInUse } from './ledger-archive.js';
import { SqliteArchive } from './sqlite-archive.js';
import { SqliteLedgerArchive } from './sqlite-ledger-archive.js';

ledgerArchiveContract('SqliteLedgerArchive (temp file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mi-ledger-archive-'));
  const path = join(dir, 'data', 'market_memory.sqlite');
  return {
    archive: SqliteLedgerArchive.open(path),
    reopen: async () => SqliteLedgerArchive.open(path),
    // Another host's worker: its claim cannot be checked, so it stands.
    rival: async () => SqliteLedgerArchive.open(path, { host: 'other-host.example', pid: process.pid }),
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

  it('takes over the claim of a process that has ended on this host, and refuses one that still runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-ledger-archive-'));
    const path = join(dir, 'market_memory.sqlite');
    const ended = spawnSync(process.execPath, ['-e', '0']).pid;
    const running = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const gone = SqliteLedgerArchive.open(path, { host: hostname(), pid: ended });
      await gone.claim('live');
      const alive = SqliteLedgerArchive.open(path, { host: hostname(), pid: running.pid ?? 0 });
      await alive.claim('desk');
      const ours = SqliteLedgerArchive.open(path);
      await ours.claim('live');
      const err = await ours.claim('desk').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(BookInUse);
      expect(String(err)).toContain(`book "desk" is in use by another worker (pid ${running.pid} on host ${hostname()}, since `);
      await ours.close();
      await alive.close();
      await gone.close();
    } finally {
      running.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file when it cannot be opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mi-ledger-archive-'));
    expect(() => SqliteLedgerArchive.open(dir)).toThrow(`sqlite ledger.open failed: file "${dir}"`);
    rmSync(dir, { recursive: true, force: true });
  });
});
