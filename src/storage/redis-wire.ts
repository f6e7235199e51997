/**
 * What RedisEpisodicMemory sends and reads: the batch a write makes (stream
 * entries, each slot's latest event), the one script that writes it, and the
 * schema a stored event is checked against when it is read back.
 */
import { z } from 'zod';
import { latestSlotOf } from './memory-episodic.js';
import type { StoredEvent } from './ports.js';

const envelope = { id: z.string(), runId: z.string(), tsMs: z.number() };

/** What a stored value must look like to be handed back as a StoredEvent. */
export const storedEventSchema = z.discriminatedUnion('kind', [
  z.object({
    ...envelope,
    kind: z.literal('quote'),
    symbol: z.string(),
    price: z.number(),
    bid: z.number().optional(),
    ask: z.number().optional(),
    volume: z.number().optional(),
    source: z.string(),
  }),
  z.object({ ...envelope, kind: z.literal('sentiment'), market: z.enum(['equity', 'crypto']), value: z.number(), label: z.string(), source: z.string() }),
  z.object({ ...envelope, kind: z.literal('signal'), symbol: z.string(), action: z.enum(['BUY', 'SELL', 'HOLD']), confidence: z.number(), source: z.string() }),
  z.object({ ...envelope, kind: z.literal('sim_state'), step: z.number(), globalState: z.number(), z3: z.number(), backend: z.string() }),
  z.object({
    ...envelope,
    kind: z.literal('trade'),
    tradeId: z.string(),
    symbol: z.string(),
    side: z.enum(['BUY', 'SELL']),
    qty: z.number(),
    price: z.number(),
    fee: z.number(),
    pnl: z.number().optional(),
    reason: z.string(),
  }),
  z.object({
    ...envelope,
    kind: z.literal('portfolio'),
    equity: z.number(),
    cash: z.number(),
    exposure: z.number(),
    realizedPnl: z.number(),
    unrealizedPnl: z.number(),
    totalPnl: z.number(),
    positions: z.array(z.looseObject({ symbol: z.string(), qty: z.number() })),
  }),
]);

/** A batch's writes: every event's stream entry, and each slot's latest event. */
export type WriteBatch = {
  readonly streamKey: string;
  /** Event id and JSON, in order. */
  readonly entries: readonly { readonly id: string; readonly json: string }[];
  /** Each slot's key with its last event in the batch (position and JSON). */
  readonly slots: readonly { readonly key: string; readonly at: number; readonly json: string }[];
};

/**
 * The write of one batch. KEYS: the stream, then each slot's latest key.
 * ARGV: ttl s, maxStream, each slot's event position (0-based), then id and
 * JSON of every event. The first error reply stops it and is returned as it
 * is (redis.call would append the script's name to the message). Redis runs
 * it whole before any other command, about 1 ms per 1,000 events.
 */
export const WRITE_SCRIPT = `
local ttl, slots = ARGV[1], #KEYS - 1
local first = 3 + slots
local function failed(reply) return type(reply) == 'table' and reply.err ~= nil end
for i = first, #ARGV, 2 do
  local reply = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'id', ARGV[i], 'e', ARGV[i + 1])
  if failed(reply) then return reply end
end
for s = 1, slots do
  local reply = redis.pcall('SET', KEYS[s + 1], ARGV[first + 2 * tonumber(ARGV[2 + s]) + 1], 'EX', ttl)
  if failed(reply) then return reply end
end
return redis.pcall('EXPIRE', KEYS[1], ttl)`;

/** Replies that mean this server or user runs no scripts (ACL, a Redis-compatible server without Lua). */
export const SCRIPTS_REFUSED = /^(NOPERM|ERR unknown command|NOSCRIPT)\b|scripting is disabled/i;

/**
 * A batch of `events`: every event's stream entry, and each slot's last
 * event (within a batch only the last event of a slot matters for "latest":
 * one SET per slot). `key` turns a key suffix into the prefixed key.
 */
export function writeBatch(events: readonly StoredEvent[], key: (suffix: string) => string): WriteBatch {
  const entries = events.map((event) => ({ id: event.id, json: JSON.stringify(event) }));
  const lastOfSlot = new Map<string, number>();
  events.forEach((event, at) => {
    const slot = latestSlotOf(event);
    if (slot !== undefined) lastOfSlot.set(slot, at);
  });
  const slots = [...lastOfSlot].map(([slot, at]) => ({ key: key(`latest:${slot}`), at, json: entries[at]?.json ?? '' }));
  return { streamKey: key('events'), slots, entries };
}

/** The event id and JSON of one stream entry (`id <event id> e <json>`). */
export function streamFields(fields: readonly string[]): { readonly id: string; readonly json: string } {
  const value = (name: string): string => {
    const at = fields.indexOf(name);
    return at % 2 === 0 ? (fields[at + 1] ?? '') : '';
  };
  return { id: value('id'), json: value('e') };
}
