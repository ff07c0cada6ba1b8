// JsonBytes writes the bytes of Buffer.from(JSON.stringify(v)): escapes, lone surrogates, numbers
// (short fractions digit by digit, others as String gives them), omitted fields, toJSON, a grown buffer.
import { describe, expect, it } from 'vitest';
import { JsonBytes } from '../../src/api/json-bytes.js';
import { mulberry32 } from '../../src/engines/mulberry32.js';

function bytesOf(v: unknown, w = new JsonBytes(64)): string {
  return w.reset().value(v).take().toString('latin1');
}

function expected(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('latin1');
}

describe('JsonBytes', () => {
  it('writes strings as JSON.stringify escapes them, then as UTF-8', () => {
    const strings = [
      '', 'plain', 'a "quoted" word', 'back\\slash', 'line\nbreak\r\ttab\b\f', '\u0000\u0001\u001f\u007f',
      'café', '日本語のテキスト', 'emoji 😀 in a sentence that is longer than thirty-two characters', '😀',
      'lone high \ud83d here', 'lone low \ude00 here', '\ud83d', '\ude00\ud83d', 'x'.repeat(40) + '\u2028\u2029',
      'a'.repeat(31) + '"', 'a'.repeat(33) + '\n',
    ];
    for (const s of strings) expect(bytesOf(s), JSON.stringify(s)).toBe(expected(s));
    expect(bytesOf({ [strings[3]!]: 1, 'ключ 😀': 2, '\ud800': 3 })).toBe(expected({ [strings[3]!]: 1, 'ключ 😀': 2, '\ud800': 3 }));
  });

  it('writes random UTF-16 text (controls, quotes, surrogates paired and lone, any plane) as JSON.stringify then UTF-8 would', () => {
    const next = mulberry32(11);
    const pool = [0x00, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x22, 0x5c, 0x7f, 0x41, 0xe9, 0x7ff, 0x800, 0x2028, 0xfffd, 0xd83d, 0xde00, 0xdbff, 0xdc00];
    for (let i = 0; i < 5000; i++) {
      const len = Math.floor(next() * 60);
      let s = '';
      for (let k = 0; k < len; k++) s += String.fromCharCode(next() < 0.5 ? pool[Math.floor(next() * pool.length)]! : Math.floor(next() * 0x10000));
      expect(bytesOf(s), JSON.stringify(s)).toBe(expected(s));
    }
  });

  it('writes numbers as String does (non-finite as null), whatever their size', () => {
    const fixed = [0, -0, 1, -1, 0.1, -0.03, 96.7, 0.18031036319312285, 1e-7, 1.5e-6, 123456.789, 999999.999999, 1e6 + 0.5, 1e21, 1.7976931348623157e308, 5e-324, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER - 2, 1791043892981, NaN, Infinity, -Infinity];
    for (const n of fixed) expect(bytesOf(n), String(n)).toBe(expected(n));
    const next = mulberry32(7);
    for (let i = 0; i < 20_000; i++) {
      const scale = 10 ** Math.floor(next() * 12 - 6);
      const digits = 10 ** Math.floor(next() * 8);
      // short decimals (rounded to a few digits, as scores are) and arbitrary doubles
      const n = i % 2 ? Math.round((next() - 0.5) * digits) / digits * scale : (next() - 0.5) * scale;
      expect(bytesOf(n), String(n)).toBe(String(n));
    }
  });

  it('writes objects and arrays as JSON.stringify does: key order, left-out fields, null in arrays, toJSON', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const v = {
      b: 1, a: [1, undefined, () => 1, Symbol('s'), null, true, false, 'x'], 2: 'index keys first', 1: 'one',
      skip: undefined, fn: () => 1, sym: Symbol('t'), when: new Date(Date.UTC(2026, 0, 2)), nested: { deep: [{ e: [] }, {}] },
      point: new Point(3), boxed: Object('str'), empty: '', nullProto: Object.assign(Object.create(null) as object, { k: 'v' }),
      withToJSON: { toJSON: () => ({ replaced: true }) },
    };
    expect(bytesOf(v)).toBe(expected(v));
    expect(bytesOf([undefined])).toBe(expected([undefined]));
  });

  it('grows its buffer for a text larger than it, and reuses it for the next', () => {
    const w = new JsonBytes(64);
    const big = { text: 'é'.repeat(5000), list: Array.from({ length: 2000 }, (_, i) => i * 1.5) };
    expect(bytesOf(big, w)).toBe(expected(big));
    expect(bytesOf({ small: 1 }, w)).toBe(expected({ small: 1 }));
  });

  it('writes objects opened and closed by hand, with keys, fields and joined strings, with commas where they belong', () => {
    const w = new JsonBytes(64).reset();
    w.openObject().key('a').openArray().joined('2026-10', '-03').joined('x"', 'y').number(1).closeArray().field('gone', undefined).field('b', { c: 1 });
    w.key('d').openObject().closeObject().closeObject();
    expect(w.take().toString()).toBe(JSON.stringify({ a: ['2026-10-03', 'x"y', 1], b: { c: 1 }, d: {} }));
  });

  it('throws on what JSON.stringify throws on (a bigint)', () => {
    expect(() => bytesOf({ n: 1n })).toThrow(TypeError);
  });
});
