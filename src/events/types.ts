// The event and account model shared by intake, the pipeline and the API.
// Validation lives in validate.ts; these are the shapes after validation.

export const EVENT_TYPES = [
  'ticket.created',
  'ticket.message',
  'ticket.escalated',
  'ticket.resolved',
  'ticket.reopened',
  'ticket.csat',
  'error.reported',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const AUTHORS = ['customer', 'ai', 'agent'] as const;
export type Author = (typeof AUTHORS)[number];

export const TIERS = ['enterprise', 'growth', 'starter'] as const;
export type Tier = (typeof TIERS)[number];

/** A validated ticket event. `occurredAt` is epoch milliseconds (event time). */
export interface VigilEvent {
  id: string;
  type: EventType;
  occurredAt: number;
  accountId: string;
  ticketId?: string;
  author?: Author;
  text?: string;
  error?: string;
  csat?: number;
  category?: string;
  channel?: string;
  tags?: string[];
}

/** An event as kept in the event log: `seq` orders the log, `receivedAt` is wall time of intake. */
export interface StoredEvent extends VigilEvent {
  seq: number;
  receivedAt: number;
}

export interface AccountOwner {
  name: string;
  slackUserId?: string;
}

export interface Account {
  accountId: string;
  name: string;
  tier: Tier;
  arr?: number;
  /** ISO date (YYYY-MM-DD) of the next renewal. */
  renewalDate?: string;
  churnRisk?: boolean;
  owner?: AccountOwner;
}

/** One rejected item of a batch: where it was, which field, and why. */
export interface FieldError {
  index: number;
  field: string;
  reason: string;
}
