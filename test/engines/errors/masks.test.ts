// Each built-in mask replaces its kind of variable part by <*> (and leaves ordinary words alone);
// masks extend from config, and a broken mask is a clear error.
import { describe, expect, it } from 'vitest';
import { errorsConfig } from '../../../src/engines/errors/config.js';
import { compileMasks, DEFAULT_MASKS, MaskError, maskMessage, masksFor } from '../../../src/engines/errors/masks.js';

/** For every mask: texts it must mask (with the result) and a text it must leave as it is. */
const EXAMPLES: Record<string, { masks: Array<[string, string]>; keeps: string }> = {
  url: { masks: [['GET https://api.acme.io/v2/orders?id=7 failed', 'GET <*> failed']], keeps: 'see the docs page' },
  email: { masks: [['no account for jane.doe+test@example.co.uk', 'no account for <*>']], keeps: 'user @jane mentioned' },
  uuid: { masks: [['ticket 3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b not found', 'ticket <*> not found']], keeps: 'well-known re-try' },
  timestamp: {
    masks: [
      ['at 2024-03-02T10:15:33.120Z the job stopped', 'at <*> the job stopped'],
      ['at Sun Jul 10 03:55:16 2005 the job stopped', 'at <*> the job stopped'],
      ['started 10:15:33,978 then died', 'started <*> then died'],
    ],
    keeps: 'Monday morning in July',
  },
  host: { masks: [['cannot reach db.prod.acme.io now', 'cannot reach <*> now'], ['proxy.cse.cuhk.edu.hk:5070 open', '<*> open']], keeps: 'class org.apache.Foo.Bar loaded' },
  ipv4: { masks: [['connection from 10.0.12.7:5432 reset', 'connection from <*> reset']], keeps: 'version one point two' },
  ipv6: { masks: [['peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 gone', 'peer <*> gone']], keeps: 'ratio a:b:c' },
  path: { masks: [['cannot open /var/lib/app/data.db for writing', 'cannot open <*> for writing'], ['missing C:\\Users\\bob\\app.ini', 'missing <*>']], keeps: 'read/write access' },
  quoted: { masks: [["unknown field 'shipping_code' in payload", 'unknown field <*> in payload'], ['bad value "north west"', 'bad value <*>']], keeps: "it's the customer's order" },
  duration: { masks: [['request took 1500ms then 2.5 s', 'request took <*> then <*>']], keeps: 'ms office and some seconds' },
  size: { masks: [['payload of 12.5 MB exceeds 10MB limit', 'payload of <*> exceeds <*> limit']], keeps: 'bytes and kilobytes' },
  hex: { masks: [['segfault at 0x7ffd5e3c addr deadbeef01', 'segfault at <*> addr <*>']], keeps: 'a decade of facade' },
  identifier: { masks: [['order ord_8f3k2 of user u123abc', 'order <*> of user <*>'], ['r24=5 and 12abc', 'r24=<*> and <*>']], keeps: 'plain words only' },
  number: { masks: [['retry 3 of 5 after -17 and 1.2.3', 'retry <*> of <*> after <*> and <*>']], keeps: 'no digits here' },
};

describe('masks', () => {
  it('every built-in mask has examples here', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(DEFAULT_MASKS.map((m) => m.name).sort());
  });

  for (const mask of DEFAULT_MASKS) {
    const ex = EXAMPLES[mask.name];
    it(`${mask.name}: masks its values alone and within the full set`, () => {
      expect(ex).toBeDefined();
      const alone = compileMasks([mask]);
      const all = compileMasks(DEFAULT_MASKS);
      for (const [input, expected] of ex!.masks) {
        expect(maskMessage(input, all)).toBe(expected);
        expect(maskMessage(input, alone)).not.toBe(input);
      }
      expect(maskMessage(ex!.keeps, alone)).toBe(ex!.keeps);
    });
  }

  it('applies config extra masks before the built-ins', () => {
    const cfg = errorsConfig.parse({ extraMasks: [{ name: 'order', pattern: String.raw`\bORD-[A-Z]+\b` }] });
    const masks = compileMasks(masksFor(cfg));
    expect(maskMessage('order ORD-ABC failed', masks)).toBe('order <*> failed');
    expect(maskMessage('order ORD-ABC failed', compileMasks(DEFAULT_MASKS))).toBe('order ORD-ABC failed');
  });

  it('names a mask that does not compile or matches the empty string', () => {
    expect(() => compileMasks([{ name: 'broken', pattern: '(' }])).toThrow(MaskError);
    expect(() => compileMasks([{ name: 'broken', pattern: '(' }])).toThrow(/broken/);
    expect(() => compileMasks([{ name: 'void', pattern: 'a*' }])).toThrow(/empty string/);
  });

  it('the requires hint only skips masks that could not match', () => {
    const hinted = compileMasks(DEFAULT_MASKS);
    const unhinted = compileMasks(DEFAULT_MASKS.map(({ name, pattern }) => ({ name, pattern })));
    const samples = Object.values(EXAMPLES).flatMap((e) => [...e.masks.map(([i]) => i), e.keeps]);
    for (const s of samples) expect(maskMessage(s, hinted)).toBe(maskMessage(s, unhinted));
  });
});
