// Writes JSON straight to UTF-8 bytes in one reused buffer: the bytes of Buffer.from(JSON.stringify(v))
// without the string, its pieces and its encoded copy, which were most of what a health answer allocated.

/** Bytes of the fixed parts of JSON. */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const NULL = Buffer.from('null');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

/** A string JSON.stringify writes differently from its characters: a quote, a backslash or a control character. */
// eslint-disable-next-line no-control-regex -- the control characters are what is looked for
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
/** Any UTF-16 surrogate; only a lone one is escaped (a pair is one character, written as its UTF-8 bytes). */
const SURROGATE = /[\ud800-\udfff]/;
/**
 * Strings up to this length are copied character by character in JavaScript while they are
 * printable ASCII (keys, bands, ids): cheaper than a call into the encoder for a few bytes.
 */
const SHORT_STRING = 32;
/** Integers up to this size are written digit by digit; beyond it as String(n) writes them (e.g. 1e+21). */
const DIGITS_MAX = Number.MAX_SAFE_INTEGER;
/**
 * Fractions written digit by digit: up to this many digits after the point, below this size. Two
 * decimals with so few digits are 10^-6 apart, far more than neighbouring doubles below 10^6, so
 * at most one of each length reads back as the number, and the shortest is String's form.
 */
const SHORT_FRACTION_DIGITS = 6;
const SHORT_DECIMAL_MAX = 1e6;

/** The escapes JSON.stringify writes as a backslash and one character, by the character they stand for. */
const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, [QUOTE]: QUOTE, [BACKSLASH]: BACKSLASH };
const HEX_DIGITS = Buffer.from('0123456789abcdef');

/** Writes `\uXXXX` (lower-case hex, as JSON.stringify does) for UTF-16 unit `c` at `at`; returns the position after it. */
function unicodeEscape(buf: Buffer, at: number, c: number): number {
  buf[at++] = BACKSLASH;
  buf[at++] = 0x75;
  buf[at++] = HEX_DIGITS[(c >> 12) & 0xf]!;
  buf[at++] = HEX_DIGITS[(c >> 8) & 0xf]!;
  buf[at++] = HEX_DIGITS[(c >> 4) & 0xf]!;
  buf[at++] = HEX_DIGITS[c & 0xf]!;
  return at;
}

const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * One JSON text at a time: `reset`, the values (objects and arrays opened and closed explicitly,
 * or any JSON-able value whole with `value`), then `take` for a Buffer of exactly its bytes. Not
 * reentrant: the buffer is shared by everything written with this writer, so a text is written
 * from start to `take` without awaiting in between.
 */
export class JsonBytes {
  private buf: Buffer;
  private len = 0;
  /** Whether the next value or key follows another one at its level (so a comma comes first). */
  private afterValue = false;

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(64, initialBytes));
  }

  reset(): this {
    this.len = 0;
    this.afterValue = false;
    return this;
  }

  /** The bytes written since `reset`, in a Buffer of their own (the writer's buffer is reused). */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.len);
    this.buf.copy(out, 0, 0, this.len);
    return out;
  }

  /** Bytes written since `reset`. */
  get length(): number {
    return this.len;
  }

  openObject(): this {
    this.separate();
    this.byte(OPEN_OBJECT);
    this.afterValue = false;
    return this;
  }

  closeObject(): this {
    this.byte(CLOSE_OBJECT);
    this.afterValue = true;
    return this;
  }

  openArray(): this {
    this.separate();
    this.byte(OPEN_ARRAY);
    this.afterValue = false;
    return this;
  }

  closeArray(): this {
    this.byte(CLOSE_ARRAY);
    this.afterValue = true;
    return this;
  }

  /** A key inside an object; its value is written next. */
  key(name: string): this {
    this.separate();
    this.quoted(name);
    this.byte(COLON);
    this.afterValue = false;
    return this;
  }

  /** A key and its value, left out as JSON.stringify leaves out a field whose value is undefined, a function or a symbol. */
  field(name: string, value: unknown): this {
    if (!omitted(value)) this.key(name).value(value);
    return this;
  }

  string(s: string): this {
    this.separate();
    this.quoted(s);
    this.afterValue = true;
    return this;
  }

  /**
   * A string written as two parts joined (`a + b` without making that string): a date from its
   * month and its day, say.
   */
  joined(a: string, b: string): this {
    this.separate();
    this.ensure(a.length + b.length + 2);
    const start = this.len;
    this.buf[this.len++] = QUOTE;
    if (this.printable(a) && this.printable(b)) {
      this.buf[this.len++] = QUOTE;
      this.afterValue = true;
      return this;
    }
    this.len = start;
    this.quoted(a + b);
    this.afterValue = true;
    return this;
  }

  number(n: number): this {
    this.separate();
    if (!Number.isFinite(n)) this.bytes(NULL);
    else if (Number.isInteger(n) && Math.abs(n) <= DIGITS_MAX) this.integer(n);
    else if (!this.shortDecimal(n)) this.ascii(String(n));
    this.afterValue = true;
    return this;
  }

  /**
   * Any value as JSON.stringify writes it: plain objects field by field in their key order, arrays
   * (undefined, functions and symbols as null), and what has its own JSON form (a toJSON method, a
   * class instance, a boxed primitive) through JSON.stringify itself.
   */
  value(v: unknown): this {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        return this.number(v);
      case 'boolean':
        this.separate();
        this.bytes(v ? TRUE : FALSE);
        this.afterValue = true;
        return this;
      case 'object':
        if (v === null) {
          this.separate();
          this.bytes(NULL);
          this.afterValue = true;
          return this;
        }
        if (Array.isArray(v)) {
          this.openArray();
          for (let i = 0; i < v.length; i++) {
            const item: unknown = v[i];
            if (omitted(item)) {
              this.separate();
              this.bytes(NULL);
              this.afterValue = true;
            } else this.value(item);
          }
          return this.closeArray();
        }
        if (isPlainData(v)) {
          this.openObject();
          const o = v as Record<string, unknown>;
          for (const k in o) this.field(k, o[k]);
          return this.closeObject();
        }
        return this.stringified(v);
      default:
        // undefined, functions and symbols have no JSON form here (a field of one is left out by
        // `field`); a bigint makes JSON.stringify throw, as it should here
        return this.stringified(v);
    }
  }

  /** Writes JSON.stringify's own text of `v` (for values with a JSON form of their own). */
  private stringified(v: unknown): this {
    const text = JSON.stringify(v) as string | undefined;
    this.separate();
    if (text === undefined) this.bytes(NULL);
    else {
      this.ensure(3 * text.length);
      this.len += this.buf.write(text, this.len);
    }
    this.afterValue = true;
    return this;
  }

  private separate(): void {
    if (this.afterValue) this.byte(COMMA);
  }

  private quoted(s: string): void {
    this.ensure(3 * s.length + 2);
    const start = this.len;
    this.buf[this.len++] = QUOTE;
    if (s.length <= SHORT_STRING && this.printable(s)) {
      this.buf[this.len++] = QUOTE;
      return;
    }
    this.len = start;
    if (NEEDS_ESCAPE.test(s) || (SURROGATE.test(s) && !isWellFormed(s))) {
      this.escaped(s);
      return;
    }
    this.buf[this.len++] = QUOTE;
    this.len += this.buf.write(s, this.len);
    this.buf[this.len++] = QUOTE;
  }

  /**
   * `s` quoted with JSON.stringify's escapes (the two-character ones, \u00xx for other control
   * characters and for a lone surrogate), every other character as its UTF-8 bytes. The caller has
   * made room for 6 bytes a UTF-16 unit and the quotes.
   */
  private escaped(s: string): void {
    this.ensure(6 * s.length + 2);
    const buf = this.buf;
    let at = this.len;
    buf[at++] = QUOTE;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        const short = c < 0x20 || c === QUOTE || c === BACKSLASH ? SHORT_ESCAPES[c] : undefined;
        if (short !== undefined) {
          buf[at++] = BACKSLASH;
          buf[at++] = short;
        } else if (c < 0x20) at = unicodeEscape(buf, at, c);
        else buf[at++] = c;
      } else if (c < 0x800) {
        buf[at++] = 0xc0 | (c >> 6);
        buf[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          buf[at++] = 0xf0 | (cp >> 18);
          buf[at++] = 0x80 | ((cp >> 12) & 0x3f);
          buf[at++] = 0x80 | ((cp >> 6) & 0x3f);
          buf[at++] = 0x80 | (cp & 0x3f);
          i++;
        } else at = unicodeEscape(buf, at, c);
      } else {
        buf[at++] = 0xe0 | (c >> 12);
        buf[at++] = 0x80 | ((c >> 6) & 0x3f);
        buf[at++] = 0x80 | (c & 0x3f);
      }
    }
    buf[at++] = QUOTE;
    this.len = at;
  }

  /**
   * Copies `s` byte for byte when all of it is printable ASCII other than the quote and the
   * backslash (each such character is its own JSON and UTF-8); otherwise writes nothing and says so.
   * The caller has made room for `s.length` bytes.
   */
  private printable(s: string): boolean {
    const buf = this.buf;
    let at = this.len;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return false;
      buf[at++] = c;
    }
    this.len = at;
    return true;
  }

  /** A string of ASCII characters only (a number's form), byte by byte. */
  private ascii(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }

  /**
   * A fraction with at most SHORT_FRACTION_DIGITS digits after the point (-0.03, 96.7: scores and
   * weights), written without making its string: the fewest digits that read back as `n` are what
   * String(n) writes too (for |n| < SHORT_DECIMAL_MAX, where a few fraction digits can tell doubles
   * apart and String(n) uses no exponent). false when `n` needs more digits (written by String then).
   */
  private shortDecimal(n: number): boolean {
    const size = Math.abs(n);
    if (!(size < SHORT_DECIMAL_MAX)) return false;
    for (let d = 1, scale = 10; d <= SHORT_FRACTION_DIGITS; d++, scale *= 10) {
      const m = Math.round(size * scale);
      // m / scale is the double nearest to the decimal m·10^-d, as parsing that decimal would give
      if (m / scale !== size) continue;
      const whole = Math.floor(m / scale);
      let fraction = m - whole * scale;
      this.ensure(d + 18);
      if (n < 0) this.buf[this.len++] = 0x2d;
      this.integer(whole);
      this.buf[this.len++] = 0x2e;
      for (let i = this.len + d - 1; i >= this.len; i--) {
        const q = Math.floor(fraction / 10);
        this.buf[i] = 0x30 + (fraction - q * 10);
        fraction = q;
      }
      this.len += d;
      return true;
    }
    return false;
  }

  private integer(n: number): void {
    this.ensure(17);
    if (n < 0) {
      this.buf[this.len++] = 0x2d;
      n = -n;
    }
    // n is a whole number below 2^53: its digits from the last, then reversed in place
    const start = this.len;
    do {
      const q = Math.floor(n / 10);
      this.buf[this.len++] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
    for (let i = start, j = this.len - 1; i < j; i++, j--) {
      const t = this.buf[i]!;
      this.buf[i] = this.buf[j]!;
      this.buf[j] = t;
    }
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  private bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  /** Room for `n` more bytes: the buffer doubles when short (it then stays that size for later texts). */
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** A plain object without a JSON form of its own: written field by field. */
function isPlainData(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
