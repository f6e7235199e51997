/**
 * Loading replay data from disk: one file, or every *.csv and *.json file of
 * a directory (sorted by name), merged into one timeline.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ErrorCode, InputError } from '../../../domain/index.js';
import { parseReplayCsv } from './csv.js';
import { mergeBars, symbolsOf, ticksFromBars } from './merge.js';
import type { ParsedBars, ReplayBars, ReplayData, ReplayOptions } from './types.js';
import { parseVendorJson } from './vendor-json.js';

const EXTENSIONS: readonly string[] = ['.csv', '.json'];
const ACCEPTED_PATHS = 'expected a .csv or .json file, or a directory of them';

function reasonOf(err: unknown): string {
  if (err instanceof Error && 'code' in err) {
    if (err.code === 'ENOENT') return 'not found';
    if (err.code === 'EACCES' || err.code === 'EPERM') return 'permission denied';
    if (err.code === 'EISDIR') return 'is a directory';
  }
  return err instanceof Error ? err.message : String(err);
}

function fileError(path: string, err: unknown): InputError {
  return new InputError(`replay file ${JSON.stringify(path)}: cannot read (${reasonOf(err)}): ${ACCEPTED_PATHS}`, {
    code: ErrorCode.replayFile,
    cause: err,
  });
}

function hasReplayExtension(name: string): boolean {
  return EXTENSIONS.includes(extname(name).toLowerCase());
}

/** The files a replay path stands for, in reading order. */
async function replayFiles(path: string): Promise<string[]> {
  const info = await stat(path).catch((err: unknown) => {
    throw fileError(path, err);
  });
  if (!info.isDirectory()) {
    if (hasReplayExtension(path)) return [path];
    throw new InputError(`replay file ${JSON.stringify(path)}: ${ACCEPTED_PATHS}`, { code: ErrorCode.replayFormat });
  }
  const entries = await readdir(path, { withFileTypes: true }).catch((err: unknown) => {
    throw fileError(path, err);
  });
  const names = entries.filter((e) => e.isFile() && hasReplayExtension(e.name)).map((e) => e.name);
  if (names.length === 0) {
    throw new InputError(`replay directory ${JSON.stringify(path)}: no *.csv or *.json file in it`, {
      code: ErrorCode.replayFile,
    });
  }
  return names.sort().map((name) => join(path, name));
}

async function parseFile(file: string, options: ReplayOptions): Promise<ParsedBars> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw fileError(file, err);
  });
  return extname(file).toLowerCase() === '.csv' ? parseReplayCsv(text, file) : parseVendorJson(text, file, options);
}

/**
 * Reads the bars behind a replay (see loadReplay), sorted by timestamp then
 * symbol. Throws InputError as loadReplay does.
 */
export async function loadReplayBars(path: string, options: ReplayOptions): Promise<ReplayBars> {
  const files = await replayFiles(path);
  const parts: ParsedBars[] = [];
  for (const file of files) parts.push(await parseFile(file, options));
  const bars = mergeBars(parts);
  if (bars.length === 0) {
    throw new InputError(`replay ${JSON.stringify(path)}: no bars in ${files.join(', ')}: expected at least one`, {
      code: ErrorCode.replayFormat,
    });
  }
  return { bars, files };
}

/**
 * Loads recorded bars (replay CSV or a recorded vendor response) from a file
 * or a directory and merges them into ticks, one per distinct timestamp.
 * Throws InputError: `replayFile` when a path cannot be read, `replayRow`
 * for a malformed row or value or a duplicate bar, `replayFormat` for an
 * unrecognised format, a missing symbol or an empty data set.
 */
export async function loadReplay(path: string, options: ReplayOptions): Promise<ReplayData> {
  const { bars, files } = await loadReplayBars(path, options);
  return { symbols: symbolsOf(bars), ticks: ticksFromBars(bars), files };
}
