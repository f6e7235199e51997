/**
 * A writer in its own process for the ledger's crash test: opens the SQLite
 * ledger at argv[2] and appends up to argv[3] records after the last one,
 * printing each seq on its own line only once `append` has returned. The
 * test SIGKILLs it mid-stream, so every printed seq is an acknowledged write.
 *
 * Usage: node --import tsx tests/helpers/ledger-writer.ts <path> <count>
 */
import { pathToFileURL } from 'node:url';
import { SqliteLedger } from '../../src/storage/sqlite-ledger.js';

/** The payload the writer stores for `seq`, so the test can check content, not just presence. */
export function writerPayload(seq: number): string {
  return JSON.stringify({ seq, note: 'Zürich "fill" 🚀' });
}

/** The time the writer stores for `seq`: 2026-01-02T14:30:00Z plus seq ms. */
export function writerTsMs(seq: number): number {
  return Date.UTC(2026, 0, 2, 14, 30) + seq;
}

function main(path: string, count: number): void {
  const ledger = SqliteLedger.open(path);
  const first = ledger.lastSeq() + 1;
  for (let seq = first; seq < first + count; seq += 1) {
    ledger.append({ seq, kind: 'trade', tsMs: writerTsMs(seq), payload: writerPayload(seq) });
    process.stdout.write(`${seq}\n`);
  }
  ledger.close();
}

const [, script, path, count] = process.argv;
if (script !== undefined && pathToFileURL(script).href === import.meta.url && path !== undefined) {
  main(path, Number(count ?? '1000000'));
}
