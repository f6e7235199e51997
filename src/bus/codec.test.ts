import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/index.js';
import { decode, encode } from './codec.js';

const body = { symbol: 'AAPL', price: 189.25, source: 'yahoo', v: 1, type: 'quote', ts: '2026-11-23T10:00:00.000Z', seq: 7 };

function rejection(frames: (Buffer | string)[]): unknown {
  try {
    decode(frames);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('codec', () => {
  it('encodes a message as its topic and one JSON body', () => {
    expect(encode('quote.AAPL', body)).toEqual(['quote.AAPL', JSON.stringify(body)]);
  });

  it('decodes what it encoded, from strings or buffers', () => {
    const [topic, json] = encode('quote.AAPL', body);
    expect(decode([topic, json])).toEqual({ topic: 'quote.AAPL', body });
    expect(decode([Buffer.from(topic), Buffer.from(json)])).toEqual({ topic: 'quote.AAPL', body });
  });

  it.each([
    ['an unknown version', { ...body, v: 2 }, 'v: Invalid input: expected 1'],
    ['an unknown type', { ...body, type: 'news' }, 'type: Invalid option'],
    ['a timestamp with an offset', { ...body, ts: '2026-11-23T10:00:00+01:00' }, 'ts: Invalid ISO datetime'],
    ['a missing timestamp', { ...body, ts: undefined }, 'ts: Invalid input: expected string, received undefined'],
    ['a seq of 0', { ...body, seq: 0 }, 'seq: Too small: expected number to be >0'],
    ['a fractional seq', { ...body, seq: 1.5 }, 'seq: Invalid input: expected int, received number'],
  ])('rejects %s, naming the field', (_, bad, detail) => {
    const err = rejection(['quote.AAPL', JSON.stringify(bad)]);
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ code: 'MI_BUS_MESSAGE' });
    expect(String(err)).toContain(`bus message on "quote.AAPL" is invalid: ${detail}`);
  });

  it('rejects a body that is not JSON', () => {
    expect(rejection(['quote.AAPL', '{"v":1,'])).toMatchObject({
      code: 'MI_BUS_MESSAGE',
      message: 'bus message on "quote.AAPL": body is not JSON',
    });
  });

  it('rejects a body that is not an object', () => {
    expect(rejection(['quote.AAPL', '[1]'])).toMatchObject({ code: 'MI_BUS_MESSAGE' });
  });

  it('rejects anything but two frames', () => {
    expect(rejection(['quote.AAPL'])).toMatchObject({
      message: 'bus message has 1 frames: expected 2 (topic, JSON body)',
    });
    expect(rejection(['a', '{}', 'c'])).toMatchObject({ code: 'MI_BUS_MESSAGE' });
  });
});
