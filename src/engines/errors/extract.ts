// Finds the error messages in a ticket: the explicit `error` field, and in customer-written text
// quoted error strings, stack-trace heads, HTTP status lines and sentences with error wording.
import type { ErrorsConfig } from './config.js';

export type ErrorSource = 'field' | 'quoted' | 'line' | 'stack' | 'http';

export interface ExtractedError {
  message: string;
  source: ErrorSource;
}

export interface ExtractInput {
  text?: string;
  error?: string;
}

/** Words customers and programs use when something broke. */
const ERROR_WORDING =
  /\b(?:errors?|exceptions?|fail(?:s|ed|ure|ing)?|time[ -]?outs?|timed out|times? out|timing out|denied|refused|forbidden|unauthori[sz]ed|invalid|cannot|can't|couldn't|unable to|crash(?:ed|es)?|not found|panic|fatal|rejected|declined|expired|bounced?|bounces|violat(?:es|ed|ion)|unavailable)\b/i;
/** Program-style names of errors: SCREAMING_SNAKE codes and *Error / *Exception class names. */
const ERROR_NAME = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b[A-Z][A-Za-z]*(?:Error|Exception)\b/;
/** "no errors", "without any failure": wording that says nothing is broken. */
const NEGATED = /\b(?:no|without(?: any)?|zero|never (?:got|had|saw) an?)\s+(?:more\s+|further\s+)?(?:errors?|exceptions?|failures?|time[ -]?outs?|issues?)\b/i;
/** Text in straight, typographic or back quotes. */
const QUOTED = /"([^"\n]{4,300})"|“([^”\n]{4,300})”|`([^`\n]{4,300})`|(?<!\w)'([^'\n]{4,300})'(?!\w)/g;
/** An HTTP status line or a spelled-out 4xx/5xx status. */
const REASON = String.raw`(?:\s+[A-Z][a-z]+(?:[ -](?:[A-Z][a-z]+|[Oo]ut))*)?`;
const HTTP_STATUS = new RegExp(
  String.raw`\bHTTP\/\d(?:\.\d)?\s+[1-5]\d\d` + REASON +
    String.raw`|\b(?:[Ss]tatus(?: [Cc]ode)?|[Cc]ode)\s*:?\s*[45]\d\d\b` + REASON +
    String.raw`|(?<=\b(?:got an?|[Rr]eturns?|returned|returning|gives?|giving|throws?)\s+)[45]\d\d\b` + REASON +
    String.raw`|\b[45]\d\d\s+(?:Bad Request|Unauthorized|Forbidden|Not Found|Method Not Allowed|Conflict|Gone|Payload Too Large|Too Many Requests|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)\b`,
  'g',
);
/** The first line of a Java/JS/.NET exception ("TypeError: x is undefined", "java.lang.IllegalStateException: ..."). */
const EXCEPTION_LINE = /^\s*(?:Uncaught\s+|Unhandled\s+(?:exception|rejection):?\s*)?((?:[\w$]+\.)*[\w$]*(?:Error|Exception|Fault|Panic)\b(?::\s*\S.*)?)$/;
/** A stack frame line (JS "at f (file:1:2)", Java "at a.b.C.m(C.java:10)", Python 'File "x.py", line 3'). */
const FRAME_LINE = /^\s+(?:at\s+\S|File\s+"|\.\.\.\s*\d+\s+more)/;
const PY_TRACEBACK = /^\s*Traceback \(most recent call last\):/;
/** The last line of a Python traceback: the exception type and message. */
const PY_EXCEPTION = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\b(?::.*)?)$/;
/** Control characters other than tab, newline and carriage return: the signature of binary data. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]+/g;
/** An "Error:" / "FATAL -" label inside a line, not at its start (a line that starts with one is kept whole). */
const ERROR_LABEL = /(?<=\S\s+)\b(?:[A-Z][\w.]*)?(?:Error|Exception|ERROR|FATAL)\b\s*[:=-]\s*\S/;
/**
 * What every error found in text contains somewhere: error wording or an error name, a three-digit
 * status, or one of the words a stack trace or a label is recognized by. Most ticket text holds
 * none, and one pass of these settles it instead of every line's patterns.
 */
const TRIGGER = /\d\d\d|Error|Exception|Fault|Panic|ERROR|FATAL|Traceback/;
/** Greetings and fillers that precede the broken thing in a sentence. */
const LEAD_IN = /^(?:(?:hi|hello|hey|dear)\b[^,.!?:]*[,.!:]\s*|(?:so|and|but|also|now|again|today|unfortunately|basically),?\s+)+/i;

/**
 * Never throws: malformed input yields fewer (or no) errors, and work is bounded by cfg.maxInputChars.
 * `opts.prefilter` false scans every line even of text without any error trigger (tests compare the two).
 */
export function extractErrors(input: ExtractInput, cfg: ErrorsConfig, opts: { prefilter?: boolean } = {}): ExtractedError[] {
  const out: ExtractedError[] = [];
  const seen = new Set<string>();
  const push = (raw: string, source: ErrorSource): void => {
    if (out.length >= cfg.maxErrorsPerText) return;
    const message = tidy(raw, cfg.maxMessageChars);
    if (message.length < cfg.minMessageChars) return;
    const key = message.toLowerCase();
    if (seen.has(key)) return;
    for (const e of out) if (e.message.toLowerCase().includes(key)) return;
    seen.add(key);
    out.push({ message, source });
  };
  try {
    if (typeof input?.error === 'string' && input.error.trim() !== '') {
      const head = clean(input.error, cfg.maxInputChars).split('\n').find((l) => l.trim() !== '');
      if (head !== undefined) push(head, 'field');
    }
    if (typeof input?.text === 'string' && input.text !== '') scanText(clean(input.text, cfg.maxInputChars), cfg, push, opts.prefilter !== false);
  } catch {
    // Extraction is best effort: a pathological text yields what was found before it, never a crash.
  }
  return out;
}

/**
 * False when the text cannot hold an error: each pattern of scanText matches within one line, and a
 * line's (or a quote's, or a sentence's) edges are word boundaries in the whole text too.
 */
export function mayHoldErrors(text: string): boolean {
  return TRIGGER.test(text) || ERROR_WORDING.test(text) || ERROR_NAME.test(text);
}

function scanText(text: string, cfg: ErrorsConfig, push: (raw: string, source: ErrorSource) => void, prefilter: boolean): void {
  if (prefilter && !mayHoldErrors(text)) return;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    if (PY_TRACEBACK.test(line)) {
      let j = i + 1;
      while (j < lines.length && (FRAME_LINE.test(lines[j]!) || /^\s+\S/.test(lines[j]!))) j++;
      const last = j < lines.length ? PY_EXCEPTION.exec(lines[j]!.trim()) : null;
      if (last !== null) push(last[1]!, 'stack');
      i = j;
      continue;
    }
    const exc = EXCEPTION_LINE.exec(line);
    if (exc !== null && (i + 1 < lines.length && FRAME_LINE.test(lines[i + 1]!))) {
      let head = exc[1]!;
      let j = i + 1;
      for (let f = 0; j < lines.length && FRAME_LINE.test(lines[j]!); j++, f++) {
        if (f < cfg.stackFrames) head += ` ${lines[j]!.trim()}`;
      }
      push(head, 'stack');
      i = j - 1;
      continue;
    }
    let tookQuoted = false;
    QUOTED.lastIndex = 0;
    for (let m = QUOTED.exec(line); m !== null; m = QUOTED.exec(line)) {
      const q = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
      HTTP_STATUS.lastIndex = 0;
      if (looksLikeError(q) || HTTP_STATUS.test(q)) {
        push(q, 'quoted');
        tookQuoted = true;
      }
    }
    if (tookQuoted) continue;
    if (exc !== null) {
      push(exc[1]!, 'stack');
      continue;
    }
    // A labelled error ("Error: request failed with status code 401") says more than its status alone.
    const label = ERROR_LABEL.exec(line);
    if (label !== null) {
      push(line.slice(label.index), 'line');
      continue;
    }
    let tookHttp = false;
    for (const http of line.matchAll(HTTP_STATUS)) {
      push(http[0], 'http');
      tookHttp = true;
    }
    if (tookHttp) continue;
    for (const sentence of sentences(line)) {
      // "Our script died with:" introduces the error on the next line; it is not one itself.
      if (/:\s*$/.test(sentence)) continue;
      if (looksLikeError(sentence) && !NEGATED.test(sentence)) push(errorClause(sentence), 'line');
    }
  }
}

/** Splits prose into sentences, keeping dotted names ("java.io", "v2.1") intact. */
function sentences(line: string): string[] {
  return line.split(/(?<=[.!?])\s+(?=[A-Z"'“(])/);
}

function looksLikeError(s: string): boolean {
  return ERROR_WORDING.test(s) || ERROR_NAME.test(s);
}

/** A sentence without its greeting or filler lead-in. */
function errorClause(sentence: string): string {
  return sentence.replace(LEAD_IN, '');
}

/** Cuts to the bound first (bounded work), turns control characters into spaces and unifies newlines. */
function clean(s: string, maxChars: number): string {
  const cut = s.length > maxChars ? s.slice(0, maxChars) : s;
  return cut.replace(/\r\n?/g, '\n').replace(CONTROL_CHARS, ' ');
}

function tidy(s: string, maxChars: number): string {
  let t = s.replace(/\s+/g, ' ').trim();
  t = t.replace(/^[\s,;:>*-]+/, '').replace(/[\s,;:.]+$/, '');
  if (t.length > maxChars) t = t.slice(0, maxChars);
  return t;
}
