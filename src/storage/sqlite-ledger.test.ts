import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, InputError, InvariantError, PermanentError } from '../domain/index.js';
import { ledgerContract } from '../../tests/contracts/ledger-contract.js';
import { writerPayload, writerTsMs } from '../../tests/helpers/ledger-writer.js';
import { SqliteLedger, SqliteLedgerErrorCode } from './sqlite-ledger.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A temp folder per test, removed afterwards (no state shared between shuffled tests). */
function tempDir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'mi-ledger-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

ledgerContract('SqliteLedger (temp file)', () => {
  const temp = tempDir();
  // A folder that does not exist yet: open() creates it.
  const path = join(temp.dir, 'nested', 'ledger.sqlite');
  const opened = [SqliteLedger.open(path)];
  const [ledger] = opened;
  if (ledger === undefined) throw new Error('unreachable: opened has one ledger');
  return {
    ledger,
    reopen: () => {
      const again = SqliteLedger.open(path);
      opened.push(again);
      return again;
    },
    cleanup: () => {
      for (const l of opened) l.close();
      temp.remove();
    },
  };
});

ledgerContract('SqliteLedger (in memory)', () => {
  const ledger = SqliteLedger.memory();
  return { ledger, cleanup: () => ledger.close() };
});

describe('SqliteLedger', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => {
    temp.remove();
  });

  function expectOpenFails(path: string): void {
    let thrown: unknown;
    try {
      SqliteLedger.open(path).close();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InputError);
    expect(thrown).toMatchObject({ code: SqliteLedgerErrorCode.open });
    expect(thrown instanceof Error ? thrown.message : '').toContain(`"${path}"`);
  }

  it('creates the missing parent folders and the file', () => {
    const path = join(temp.dir, 'a', 'b', 'ledger.sqlite');
    SqliteLedger.open(path).close();
    expect(existsSync(path)).toBe(true);
  });

  it('runs in WAL mode with synchronous FULL, also when reopening an existing WAL file', () => {
    const path = join(temp.dir, 'ledger.sqlite');
    const first = SqliteLedger.open(path);
    // 2 is FULL in SQLite's numbering (https://www.sqlite.org/pragma.html#pragma_synchronous).
    expect(first.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2 });
    first.close();
    // A plain connection to a file already in WAL gets NORMAL (1): better-sqlite3 builds
    // SQLite with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (deps/defines.gypi). So FULL must be set.
    const plain = new Database(path);
    expect(plain.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(plain.pragma('synchronous', { simple: true })).toBe(1);
    plain.close();
    const reopened = SqliteLedger.open(path);
    expect(reopened.pragmas()).toEqual({ journalMode: 'wal', synchronous: 2 });
    reopened.close();
  });

  it('keeps an in-memory database in memory journal mode with synchronous FULL', () => {
    const ledger = SqliteLedger.memory();
    expect(ledger.pragmas()).toEqual({ journalMode: 'memory', synchronous: 2 });
    ledger.close();
  });

  it('refuses a directory as the ledger path, naming it', () => {
    const path = join(temp.dir, 'a-folder');
    mkdirSync(path);
    expectOpenFails(path);
  });

  it('refuses a path below a regular file, naming it', () => {
    writeFileSync(join(temp.dir, 'file'), 'x');
    expectOpenFails(join(temp.dir, 'file', 'ledger.sqlite'));
  });

  it('refuses a file that is not a SQLite database, naming it', () => {
    const path = join(temp.dir, 'notes.txt');
    writeFileSync(path, 'not a database; '.repeat(64));
    expectOpenFails(path);
  });

  it('refuses an empty path and the :memory: name (WAL needs a file)', () => {
    expectOpenFails('');
    expectOpenFails(':memory:');
  });

  it('refuses to open a file whose seqs have a gap', () => {
    const path = join(temp.dir, 'ledger.sqlite');
    SqliteLedger.open(path).close();
    const plain = new Database(path);
    const insert = plain.prepare("INSERT INTO ledger VALUES (?, 'trade', 0, '{}')");
    for (const seq of [1, 2, 4]) insert.run(seq);
    plain.close();
    expect(() => SqliteLedger.open(path)).toThrow(InvariantError);
    expect(() => SqliteLedger.open(path)).toThrow('3 records with seq 1..4');
  });

  it('reports a write another connection got to first as MI_LEDGER_WRITE, keeping lastSeq', () => {
    const path = join(temp.dir, 'ledger.sqlite');
    const ledger = SqliteLedger.open(path);
    const plain = new Database(path);
    plain.prepare("INSERT INTO ledger VALUES (1, 'trade', 0, '{}')").run();
    plain.close();
    let thrown: unknown;
    try {
      ledger.append({ seq: 1, kind: 'trade', tsMs: 5, payload: '{"mine":true}' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PermanentError);
    expect(thrown).toMatchObject({ code: SqliteLedgerErrorCode.write });
    expect(ledger.lastSeq()).toBe(0);
    expect(ledger.records()).toEqual([{ seq: 1, kind: 'trade', tsMs: 0, payload: '{}' }]);
    ledger.close();
  });

  it('rejects a lone surrogate instead of storing U+FFFD, and keeps paired ones', () => {
    const ledger = SqliteLedger.memory();
    expect(() => ledger.append({ seq: 1, kind: 'trade', tsMs: 0, payload: '{"x":"\uD83D"}' })).toThrow(InvariantError);
    expect(() => ledger.append({ seq: 1, kind: '\uDC00', tsMs: 0, payload: '{}' })).toThrow(InvariantError);
    expect(ledger.records()).toEqual([]);
    ledger.append({ seq: 1, kind: 'trade', tsMs: 0, payload: '{"x":"\uD83D\uDE80"}' });
    expect(ledger.records()).toEqual([{ seq: 1, kind: 'trade', tsMs: 0, payload: '{"x":"🚀"}' }]);
    ledger.close();
  });

  it('throws an invariant error when used after close', () => {
    const ledger = SqliteLedger.memory();
    ledger.close();
    expect(() => ledger.append({ seq: 1, kind: 'trade', tsMs: 0, payload: '{}' })).toThrow(InvariantError);
    expect(() => ledger.records()).toThrow(expect.objectContaining({ code: ErrorCode.invariant }));
  });

  // A killed process leaves its writes in the OS page cache, so this shows no acknowledged append
  // is lost to a process crash; surviving power loss rests on synchronous FULL, asserted above.
  it('loses no acknowledged append when the writer is SIGKILLed (3 crashes, resuming each time)', async () => {
    const path = join(temp.dir, 'crash', 'ledger.sqlite');
    const acknowledged: number[] = [];
    for (const round of [1, 2, 3]) {
      // Each writer resumes after what the last one left and is killed after 40 more acknowledgements.
      const run = await runWriterUntilKilled(path, 40);
      // SIGKILL, not a clean exit: the writer was asked for 1e6 records and was mid-stream.
      expect(run.signal).toBe('SIGKILL');
      acknowledged.push(...run.printed);
      expect(acknowledged.length).toBeGreaterThanOrEqual(40 * round);

      const ledger = SqliteLedger.open(path);
      try {
        const records = ledger.records();
        const last = ledger.lastSeq();
        expect(last).toBeGreaterThanOrEqual(Math.max(...acknowledged));
        expect(last).toBeGreaterThanOrEqual(40 * round);
        expect(records.map((r) => r.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
        for (const seq of acknowledged) {
          expect(records[seq - 1]).toEqual({ seq, kind: 'trade', tsMs: writerTsMs(seq), payload: writerPayload(seq) });
        }
      } finally {
        ledger.close();
      }
    }
  });

  it('measures appends per second with synchronous FULL (reported, not asserted)', ({ annotate }) => {
    const ledger = SqliteLedger.open(join(temp.dir, 'bench', 'ledger.sqlite'));
    const count = 1_000;
    const payload = writerPayload(0);
    const started = performance.now();
    for (let seq = 1; seq <= count; seq += 1) ledger.append({ seq, kind: 'trade', tsMs: seq, payload });
    const elapsedMs = performance.now() - started;
    ledger.close();
    expect(ledger.lastSeq()).toBe(count);
    return annotate(`${Math.round((count * 1_000) / elapsedMs)} appends/s (synchronous FULL, WAL, ${count} appends)`);
  });
});

/**
 * Runs tests/helpers/ledger-writer.ts on `path` and SIGKILLs it once it has
 * printed `lines` seqs. Returns every seq it printed: each was printed only
 * after its append returned, so each was acknowledged.
 */
async function runWriterUntilKilled(
  path: string,
  lines: number,
): Promise<{ printed: number[]; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/ledger-writer.ts', path, '1000000'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed: number[] = [];
  let partial = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const part of parts) printed.push(Number(part));
    if (printed.length >= lines) child.kill('SIGKILL');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
  clearTimeout(timer);
  if (printed.length < lines) throw new Error(`the writer printed ${printed.length} of ${lines} seqs; stderr:\n${stderr}`);
  return { printed, signal };
}
