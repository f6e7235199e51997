import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveContract, sampleEvents } from '../../tests/contracts/archive-contract.js';
import { StoreError, StoreErrorCode } from './errors.js';
import { SqliteArchive } from './sqlite-archive.js';

/** A temp folder per test, removed afterwards (no state shared between shuffled tests). */
function tempDir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mi-archive-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

archiveContract('SqliteArchive (in memory)', async () => {
  const archive = SqliteArchive.memory();
  return { archive, cleanup: () => archive.close() };
});

archiveContract('SqliteArchive (temp file)', async () => {
  const temp = tempDir();
  const archive = SqliteArchive.open(join(temp.dir, 'data', 'market_memory.sqlite'));
  return {
    archive,
    cleanup: async () => {
      await archive.close();
      temp.remove();
    },
  };
});

describe('SqliteArchive', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => {
    temp.remove();
  });

  it('creates the missing folders and keeps events and runs across close and reopen', async () => {
    const path = join(temp.dir, 'a', 'b', 'market_memory.sqlite');
    const first = SqliteArchive.open(path);
    await first.write(sampleEvents());
    await first.startRun({ runId: 'run1', startedMs: 0, source: 'yahoo', symbols: ['AAPL'], capitalUsd: 100_000 });
    await first.close();
    expect(existsSync(path)).toBe(true);
    const again = SqliteArchive.open(path);
    try {
      await again.write(sampleEvents());
      expect(await again.query({ sinceMs: 0 })).toStrictEqual(sampleEvents());
      expect(await again.runs()).toStrictEqual([{ runId: 'run1', startedMs: 0, source: 'yahoo', symbols: ['AAPL'], capitalUsd: 100_000 }]);
    } finally {
      await again.close();
    }
  });

  it.each([
    ['a directory', (dir: string) => (mkdirSync(join(dir, 'folder')), join(dir, 'folder'))],
    ['a path below a regular file', (dir: string) => (writeFileSync(join(dir, 'file'), 'x'), join(dir, 'file', 'archive.sqlite'))],
    ['a file that is not SQLite', (dir: string) => (writeFileSync(join(dir, 'notes.txt'), 'not a database; '.repeat(64)), join(dir, 'notes.txt'))],
    ['an empty path', () => ''],
  ])('refuses %s as the archive path, naming it', (_title, makePath) => {
    const path = makePath(temp.dir);
    let thrown: unknown;
    try {
      SqliteArchive.open(path);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(StoreError);
    expect(thrown).toMatchObject({ code: StoreErrorCode.rejected, store: 'sqlite', operation: 'open', transient: false });
    expect(thrown instanceof Error ? thrown.message : '').toContain(`"${path}"`);
  });
});
