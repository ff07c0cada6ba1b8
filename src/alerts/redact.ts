// Redaction of secrets and personal data from free text before it is stored as a sample or sent:
// pure, one pass per kind of secret with cheap pre-checks, and ordinary text left as it was.

export interface RedactOptions {
  /** Also replace IPv4/IPv6 addresses (off by default here; the alerts config turns it on). */
  ips?: boolean;
}

/** What each kind of secret becomes: short and readable, so the sentence still makes sense. */
export const REDACTION_TAGS = {
  privateKey: '[private-key]',
  password: '[password]',
  jwt: '[jwt]',
  token: '[token]',
  apiKey: '[api-key]',
  secret: '[secret]',
  email: '[email]',
  card: '[card]',
  phone: '[phone]',
  ip: '[ip]',
} as const;

const PRIVATE_KEY = /-----BEGIN[A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END[A-Z ]*PRIVATE KEY-----|[A-Za-z0-9+/=\s\\]*)/g;

// scheme://user:password@host (also scheme://:password@host); the user name stays for context
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{1,20}:\/\/)([^\s:/@]*):([^\s@/]+)@(?=[^\s@])/gi;

const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

const AUTH_SCHEME = /\b(Bearer|Basic|Token|Digest|Bot)(\s+)([A-Za-z0-9._~+/=-]{8,})/gi;

// Vendor key formats with distinctive prefixes; the prefix alone makes them certain.
// Every pattern starts only where a token starts (the lookbehind), so a long run of
// token characters is scanned once, not once per position.
const TOKEN_START = String.raw`(?<![A-Za-z0-9_-])`;
const VENDOR_KEYS = new RegExp(
  TOKEN_START +
    '(?:' +
  [
    String.raw`(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b`, // AWS access key id
    String.raw`gh[pousr]_[A-Za-z0-9]{30,}\b`, // GitHub tokens
    String.raw`github_pat_[A-Za-z0-9_]{22,}\b`,
    String.raw`glpat-[A-Za-z0-9_-]{20,}`, // GitLab
    String.raw`xox[abposr]-[A-Za-z0-9-]{10,}`, // Slack tokens
    String.raw`xapp-[A-Za-z0-9-]{10,}`,
    String.raw`(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}`, // Stripe
    String.raw`whsec_[A-Za-z0-9]{16,}`, // Stripe webhook secret
    String.raw`sk-(?:ant-|proj-|svcacct-)?[A-Za-z0-9_-]{20,}`, // OpenAI / Anthropic
    String.raw`AIza[0-9A-Za-z_-]{35}`, // Google API key
    String.raw`ya29\.[0-9A-Za-z_-]{20,}`, // Google OAuth access token
    String.raw`SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}`, // SendGrid
    String.raw`(?:SK|AC)[0-9a-f]{32}\b`, // Twilio
    String.raw`npm_[A-Za-z0-9]{30,}\b`, // npm
    String.raw`shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b`, // Shopify
    String.raw`key-[0-9a-f]{32}\b`, // Mailgun
    String.raw`dop_v1_[a-f0-9]{64}\b`, // DigitalOcean
    String.raw`hf_[A-Za-z0-9]{30,}\b`, // Hugging Face
    String.raw`pat[A-Za-z0-9]{14}\.[a-f0-9]{64}\b`, // Airtable
    String.raw`sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}`, // Square
    String.raw`EAA[A-Za-z0-9]{30,}\b`, // Meta access token
  ].join('|') +
    ')',
  'g',
);

// key = value / "key": "value" / Key: value, where the key names a secret
const KEY_VALUE =
  /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{0,40}?(?:passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?|auth[_-]?key|session[_-]?(?:id|key|token)|signing[_-]?key|signature)[A-Za-z0-9_-]{0,40})(["']?\s*(?:=>|[:=])\s*["']?|\s+is\s+["']?|\s+was\s+["']?)([^\s"'&,;<>(){}[\]`]+)/gi;

// cheap substring checks that skip a pass when its key words are absent (most text)
const AUTH_HINT = /bearer|basic|token|digest|bot/;
const KEY_HINT = /pass|pwd|secret|token|key|credential|session|sign|client/;

const PASSWORD_KEY = /passw|passphrase|pwd/i;
// settings *about* a secret (PASSWORD_MIN_LENGTH, token_type, api_key_id) hold no secret
const ABOUT_A_SECRET = /(?:min|max|length|len|count|size|policy|enabled|required|expiry|expires|expired|reset|rotation|ttl|timeout|hint|strength|type|name|url|path|file|id)$/i;

const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b/g;

// 13-19 digits, optionally in groups separated by one space or dash
const CARD_CANDIDATE = /(?<![\d.-])\d(?:[ -]?\d){12,22}(?![\d])/g;

const PHONE_PATTERNS: RegExp[] = [
  // international: +CC then groups
  /(?<![\w+])\+\d{1,3}(?:[\s.-]?\(\d{1,4}\))?(?:[\s.-]?\d{1,5}){1,6}(?![\d])/g,
  // North American: (415) 555-0132, 415-555-0132, 415.555.0132, 1-800-555-0199
  /(?<![\w.+-])(?:1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-]|\.\d)/g,
  // European national format with a trunk 0: 07700 900123, 020 7946 0958, 030-12345678
  /(?<![\w.+-])0\d{2,4}[\s-]\d{3,8}(?:[\s-]\d{3,4})?(?![\w-]|\.\d)/g,
];
// bare digits right after a word that says it is a phone number (the word and gap are kept)
const PHONE_AFTER_WORD = /\b((?:phone|tel|telephone|mobile|cell|cellphone|sms|whatsapp|fax|call me at|text me at|reach me at)\b[^\d\n]{0,12})(\d{7,15})(?!\d)/gi;

const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d]|\.\d)/g;
// Full form, or compressed with "::"; plain times (10:30:45) have too few groups to match.
const IPV6 = /(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,6}:(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,5})?|::(?:[0-9A-Fa-f]{1,4}:){0,5}[0-9A-Fa-f]{1,4})(?![\w:])/g;

// A long run of letters and digits that mixes cases and digits like a generated key does.
const LONG_TOKEN = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}={0,2}(?![A-Za-z0-9_-])/g;

const PLACEHOLDER = /^(?:\*+|x{3,}|\.{3}|null|none|undefined|nil|empty|redacted|hidden|<[^>]*>|\[[^\]]*\]|\$\{[^}]*\}|%s|\{\{.*\}\})$/i;

/** Looks generated: long, or mixing digits/upper case/symbols in a way words do not. */
function looksSecret(value: string): boolean {
  if (value.length < 8) return false;
  if (PLACEHOLDER.test(value)) return false;
  const hasDigit = /\d/.test(value);
  const hasUpper = /[A-Z]/.test(value.slice(1));
  const hasLower = /[a-z]/.test(value);
  const hasSymbol = /[^A-Za-z0-9]/.test(value);
  if (value.length >= 20 && (hasDigit || hasUpper || hasSymbol)) return true;
  let classes = 0;
  if (hasDigit) classes++;
  if (hasUpper) classes++;
  if (hasLower) classes++;
  if (hasSymbol) classes++;
  return classes >= 2 && !/^\d+$/.test(value) && !/^[a-z]+(?:[._-][a-z]+)*$/.test(value);
}

function shannonBits(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function isCardNumber(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  // 13-digit numbers starting with 1 are epoch-millisecond timestamps, not cards
  if (digits.length === 13 && digits[0] === '1') return false;
  if (/^(\d)\1+$/.test(digits)) return false;
  return luhnValid(digits);
}

/** Replaces the card numbers inside a run of digit groups (the run may hold more than one number). */
function redactCardRun(run: string): string {
  const digits = run.replace(/[ -]/g, '');
  if (isCardNumber(digits)) return REDACTION_TAGS.card;
  // try consecutive groups, or for an unseparated run every window, longest first
  const parts = run.split(/([ -])/);
  const groups: Array<{ text: string; start: number }> = [];
  let pos = 0;
  for (const p of parts) {
    if (p !== ' ' && p !== '-') groups.push({ text: p, start: pos });
    pos += p.length;
  }
  if (groups.length > 1) {
    for (let i = 0; i < groups.length; i++) {
      let joined = '';
      for (let j = i; j < groups.length; j++) {
        joined += groups[j]!.text;
        if (joined.length > 19) break;
        if (joined.length >= 13 && isCardNumber(joined)) {
          const start = groups[i]!.start;
          const end = groups[j]!.start + groups[j]!.text.length;
          return run.slice(0, start) + REDACTION_TAGS.card + redactCardRun(run.slice(end));
        }
      }
    }
    return run;
  }
  for (let len = Math.min(19, digits.length); len >= 13; len--) {
    for (let i = 0; i + len <= digits.length; i++) {
      if (isCardNumber(digits.slice(i, i + len))) return run.slice(0, i) + REDACTION_TAGS.card + run.slice(i + len);
    }
  }
  return run;
}

function redactPhoneMatch(m: string): string {
  const digits = m.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return m;
  // dates like 2024-01-15 or 15.01.2024 and dotted versions are not phone numbers
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(m) || /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(m)) return m;
  if (!m.startsWith('+') && digits < 9 && !/^\d+$/.test(m)) return m;
  return REDACTION_TAGS.phone;
}

/** Replaces secrets and personal data in `text` with short tags; everything else is unchanged. */
export function redact(text: string, opts: RedactOptions = {}): string {
  if (text.length === 0) return text;
  let out = text;

  if (out.includes('PRIVATE KEY')) out = out.replace(PRIVATE_KEY, REDACTION_TAGS.privateKey);
  if (out.includes('://')) out = out.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTION_TAGS.password}@`);
  if (out.includes('eyJ')) out = out.replace(JWT, REDACTION_TAGS.jwt);
  const lower = out.toLowerCase();
  if (AUTH_HINT.test(lower)) out = out.replace(AUTH_SCHEME, (m, scheme: string, space: string, value: string) => {
    if (value.startsWith('[') || !looksSecret(value)) return m;
    return `${scheme}${space}${REDACTION_TAGS.token}`;
  });
  out = out.replace(VENDOR_KEYS, REDACTION_TAGS.apiKey);
  if (KEY_HINT.test(lower)) out = out.replace(KEY_VALUE, (m, key: string, sep: string, value: string) => {
    if (value.startsWith('[') || PLACEHOLDER.test(value)) return m;
    if (ABOUT_A_SECRET.test(key) && !/session/i.test(key)) return m;
    // "password is X" and "Password: X" are also how people write prose ("Password: must be ...")
    const prose = (/\s(?:is|was)\s/.test(sep) || /^:\s/.test(sep)) && !/["']/.test(sep);
    if (PASSWORD_KEY.test(key)) {
      // "password=hunter2" and "password": "..." always; prose only when the value looks made up
      if (prose ? !looksSecret(value) && !/\d/.test(value) : value.length < 3 && !/=/.test(sep)) return m;
      return `${key}${sep}${REDACTION_TAGS.password}`;
    }
    if (!looksSecret(value)) return m;
    return `${key}${sep}${REDACTION_TAGS.secret}`;
  });
  if (out.includes('@')) out = out.replace(EMAIL, REDACTION_TAGS.email);
  if (opts.ips) {
    if (out.includes('.')) out = out.replace(IPV4, REDACTION_TAGS.ip);
    if (out.includes(':')) out = out.replace(IPV6, (m) => (/[0-9A-Fa-f]/.test(m) && m.length >= 6 ? REDACTION_TAGS.ip : m));
  }
  if (/\d/.test(out)) {
    out = out.replace(CARD_CANDIDATE, (run) => redactCardRun(run));
    for (const re of PHONE_PATTERNS) out = out.replace(re, redactPhoneMatch);
    out = out.replace(PHONE_AFTER_WORD, (_m, lead: string) => `${lead}${REDACTION_TAGS.phone}`);
  }
  out = out.replace(LONG_TOKEN, (m) => {
    const body = m.replace(/=+$/, '');
    if (!/\d/.test(body) || !/[A-Z]/.test(body) || !/[a-z]/.test(body)) return m;
    // kebab/snake identifiers made of words score well under random keys
    return shannonBits(body) >= 4.2 ? REDACTION_TAGS.secret : m;
  });
  return out;
}
