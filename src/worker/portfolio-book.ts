import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULTS, type Config } from '../config/index.js';
import { ConfigError, ErrorCode } from '../domain/index.js';
import { StoreError } from '../storage/errors.js';
import { BookInUse, type LedgerArchive, type LedgerBook } from '../storage/ledger-archive.js';
import { MysqlLedgerArchive } from '../storage/mysql-ledger-archive.js';
import { SqliteLedger } from '../storage/sqlite-ledger.js';
import { SqliteLedgerArchive } from '../storage/sqlite-ledger-archive.js';
import type { Logger } from '../telemetry/logger.js';

/** How long a replay's start waits for an unreachable archive before running without the portfolio (a live run tries once, then again each pause). */
const REPLAY_START_PATIENCE_MS = 10_000;
/** Where versions before the ledger moved into the archive kept a live run's ledger: imported once into an empty `live` book. */
const LEGACY_LEDGER_FILE = 'ledger.sqlite';
/** The deadline of one MySQL ledger operation. */
const MYSQL_TIMEOUT_MS = 3_000;

/** Keys of the run state kept in a book's meta, beside the records. */
export const META = {
  mode: 'run.mode',
  replaySource: 'replay.source',
  lastTickMs: 'replay.lastTickMs',
  finished: 'replay.finished',
  marks: 'marks',
} as const;

/** The archive's ledger tables: in MySQL when configured, else in the embedded SQLite archive file. */
export function buildLedgerArchive(config: Config): LedgerArchive {
  if (config.mysql !== undefined) return MysqlLedgerArchive.open(config.mysql, MYSQL_TIMEOUT_MS);
  return SqliteLedgerArchive.open(join(config.dataDir, DEFAULTS.archiveFile));
}

/**
 * What the portfolio stage does with its book before trading on it: load it
 * (a replay waits a while for the archive), claim it, and decide what this
 * run may do with what it holds (continue it, import an earlier version's
 * ledger file into it, or move a finished replay aside).
 */
export class BookKeeper {
  private readonly replay: boolean;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.replay = config.source.kind === 'replay';
  }

  /** Loads the book, waiting (with a log line each try) while the archive cannot be reached. */
  async loadAtStart(archive: LedgerArchive, book: string): Promise<LedgerBook> {
    const giveUpAt = performance.now() + (this.replay ? REPLAY_START_PATIENCE_MS : 0);
    for (let wait = 250; ; wait = Math.min(wait * 2, 4_000)) {
      try {
        return await archive.load(book);
      } catch (err) {
        if (!(err instanceof StoreError) || !err.transient || performance.now() + wait > giveUpAt) throw err;
        this.log.warn({ book, archive: archive.where, err: err.message, retryInMs: wait }, 'waiting for the archive to load the portfolio');
        await sleep(wait);
      }
    }
  }

  /**
   * Claims `book` and returns what this run continues from: the stored book,
   * an imported legacy ledger, or nothing (a new book).
   * @throws ConfigError when another worker holds the book, or it belongs to the other kind of run.
   */
  async prepare(archive: LedgerArchive, book: string, found: LedgerBook): Promise<LedgerBook> {
    try {
      await archive.claim(book);
    } catch (err) {
      if (!(err instanceof BookInUse)) throw err;
      throw new ConfigError(`--book "${book}": in use by another worker (${err.holder}) in ${archive.where}; give each worker its own book (--book <name>)`, { code: ErrorCode.config, cause: err });
    }
    const empty = found.records.length === 0 && Object.keys(found.meta).length === 0;
    return empty ? this.importLegacy(archive, book) : this.checkBook(archive, book, found);
  }

  /**
   * A live portfolio an earlier version kept in `<data-dir>/ledger.sqlite`:
   * copied, records and meta, into the empty default book in one commit, then
   * the file is renamed `*.imported-<time>` so it is imported once.
   */
  private async importLegacy(archive: LedgerArchive, book: string): Promise<LedgerBook> {
    const path = join(this.config.dataDir, LEGACY_LEDGER_FILE);
    if (this.replay || book !== DEFAULTS.liveBook || !existsSync(path)) return { records: [], meta: {} };
    const legacy = SqliteLedger.open(path);
    let imported: LedgerBook;
    try {
      const meta: Record<string, string> = {};
      for (const key of [META.mode, META.marks]) {
        const value = legacy.getMeta(key);
        if (value !== undefined) meta[key] = value;
      }
      imported = { records: legacy.records(), meta };
    } finally {
      legacy.close();
    }
    if (imported.meta[META.mode] === 'replay') return { records: [], meta: {} };
    await archive.commit(book, imported.records, imported.meta);
    const aside = `${path}.imported-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${aside}${suffix}`);
    this.log.info({ from: path, movedTo: aside, book, archive: archive.where, records: imported.records.length }, 'imported the ledger file of an earlier version into the archive');
    return imported;
  }

  /** A stored book this run may continue, or (a replay's that cannot be resumed) renamed aside for a fresh one. */
  private async checkBook(archive: LedgerArchive, book: string, stored: LedgerBook): Promise<LedgerBook> {
    const mode = stored.meta[META.mode] ?? 'live';
    if (mode !== (this.replay ? 'replay' : 'live')) {
      const other = mode === 'live' ? 'a live portfolio' : "a replay's portfolio";
      throw new ConfigError(`--book "${book}": holds ${other} in ${archive.where}; give this ${this.replay ? 'replay' : 'live run'} its own book`, { code: ErrorCode.config });
    }
    if (this.config.source.kind !== 'replay') return stored;
    const sameReplay = stored.meta[META.replaySource] === this.config.source.path;
    if (sameReplay && stored.meta[META.finished] !== '1') return stored;
    const aside = `${book}@${new Date().toISOString().replace(/[:.]/g, '-')}`.slice(0, 64);
    await archive.rename(book, aside);
    this.log.info({ book, movedTo: aside, archive: archive.where, reason: sameReplay ? 'that replay had finished' : 'it held another replay' }, 'starting a fresh replay portfolio');
    return { records: [], meta: {} };
  }
}

/** The marks stored with the book; a value that is not a map of prices counts as none. */
export function parseMarks(text: string | undefined): Record<string, number> {
  if (text === undefined) return {};
  const parsed: unknown = JSON.parse(text);
  const marks: Record<string, number> = {};
  if (typeof parsed === 'object' && parsed !== null) {
    for (const [symbol, price] of Object.entries(parsed)) if (typeof price === 'number') marks[symbol] = price;
  }
  return marks;
}
