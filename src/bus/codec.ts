import { z } from 'zod';
import { InputError } from '../domain/index.js';
import { BusErrorCode } from './error-codes.js';
import { MessageType, SCHEMA_VERSION, type Envelope } from './topics.js';

/** The two frames of a message on the wire: topic, then the body as JSON. */
export type Frames = [topic: string, body: string];

/**
 * A message as a subscriber gets it: its envelope is validated, the rest of
 * the body is whatever the publisher sent, for the consumer to narrow.
 */
export type DecodedMessage = {
  readonly topic: string;
  readonly body: Envelope & { readonly [field: string]: unknown };
};

const envelopeSchema = z.looseObject({
  v: z.literal(SCHEMA_VERSION),
  type: z.enum(MessageType),
  ts: z.iso.datetime(),
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

/** Encodes a body for `topic`. One JSON.stringify, no other copy: this runs per message. */
export function encode(topic: string, body: object): Frames {
  return [topic, JSON.stringify(body)];
}

function invalid(what: string, cause?: unknown): InputError {
  return new InputError(`bus message ${what}`, { code: BusErrorCode.message, cause });
}

function parseJson(text: string, topic: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`on "${topic}": body is not JSON`, err);
  }
}

/**
 * Decodes the frames of one message and validates its envelope (`v`, `type`,
 * `ts` as ISO-8601 UTC, `seq` an integer >= 1).
 *
 * @throws InputError (code `MI_BUS_MESSAGE`) naming what is wrong.
 */
export function decode(frames: readonly (Buffer | string)[]): DecodedMessage {
  const [topicFrame, bodyFrame] = frames;
  if (frames.length !== 2 || topicFrame === undefined || bodyFrame === undefined) {
    throw invalid(`has ${frames.length} frames: expected 2 (topic, JSON body)`);
  }
  const topic = topicFrame.toString();
  const json = parseJson(bodyFrame.toString(), topic);
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw invalid(`on "${topic}" is invalid: ${issues}`, parsed.error);
  }
  return { topic, body: parsed.data };
}
