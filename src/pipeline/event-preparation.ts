// What the engines derive from one event's text alone, before it is applied: the error messages in
// it and the customer's sentiment. Pure per event, so it may be worked out ahead, on another thread.
import type { StoredEvent } from '../events/types.js';
import type { ErrorsConfig } from '../engines/errors/config.js';
import { extractErrors } from '../engines/errors/extract.js';
import type { SentimentAnalyzer } from '../engines/sentiment/analyzer.js';

export interface PreparedEvent {
  /** Error messages found in the event (one per distinct error; see errorsIn). */
  errors: readonly string[];
  /** The analyzer's score of a customer's message (undefined for any other event). */
  sentiment: number | undefined;
  frustration: boolean | undefined;
}

const NO_ERRORS: readonly string[] = Object.freeze([]);

/** The preparation of an event with neither errors nor a customer's message. */
export const NOTHING_PREPARED: Readonly<PreparedEvent> = Object.freeze({ errors: NO_ERRORS, sentiment: undefined, frustration: undefined });

/** Whether the event is a customer's message whose sentiment counts. */
export function wantsSentiment(ev: StoredEvent): boolean {
  return ev.author === 'customer' && !!ev.text && (ev.type === 'ticket.message' || ev.type === 'ticket.created');
}

/** Whether the event may report errors: tickets and error reports, written by the customer or carrying an error field. */
export function mayReportErrors(ev: StoredEvent): boolean {
  if (ev.type !== 'ticket.created' && ev.type !== 'ticket.message' && ev.type !== 'error.reported') return false;
  return !ev.author || ev.author === 'customer' || !!ev.error;
}

/** The error messages of a text and error field (callers check mayReportErrors first). */
export function errorsIn(text: string | undefined, error: string | undefined, cfg: ErrorsConfig): string[] {
  const found = extractErrors({ text, error }, cfg).map((e) => e.message);
  // "Error 502 ... (id 1f2e)" and "Error 502 ... (id 1f2e) Thanks" found in one ticket are one
  // error: the longer one only adds what followed it on the line, and would split the cluster.
  return found.filter((m, i) => !found.some((o, j) => j !== i && o.length < m.length && m.startsWith(o)));
}

/** The event's preparation, worked out on this thread. */
export function prepareEvent(ev: StoredEvent, cfg: ErrorsConfig, analyzer: SentimentAnalyzer): PreparedEvent {
  const sentiment = wantsSentiment(ev);
  const errors = mayReportErrors(ev);
  if (!sentiment && !errors) return NOTHING_PREPARED;
  const r = sentiment ? analyzer.analyze(ev.text!) : undefined;
  return { errors: errors ? errorsIn(ev.text, ev.error, cfg) : NO_ERRORS, sentiment: r?.score, frustration: r?.frustration };
}
