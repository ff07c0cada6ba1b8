// What the sender needs from a destination: post a message, and find one that may already have
// been posted (for exactly-once delivery across crashes). Slack and the console sink implement it.
import type { SlackBlock } from './blocks.js';

export interface OutgoingMessage {
  channel: string;
  text: string;
  blocks: SlackBlock[];
  /** Post as a reply in this thread. */
  threadTs?: string;
  /** Carried with the message (Slack message metadata) so it can be found again. */
  dedupeKey: string;
}

export interface PostedMessage {
  ts: string;
  /** The channel id the destination answered with. */
  channel: string;
}

export interface AlertTransport {
  readonly name: 'slack' | 'console' | 'dry-run';
  /** Throws DeliveryError. */
  post(msg: OutgoingMessage): Promise<PostedMessage>;
  /** The message with this dedupe key posted since `sinceMs`, if any. Throws DeliveryError. */
  findPosted(q: { channel: string; threadTs?: string; dedupeKey: string; sinceMs: number }): Promise<PostedMessage | null>;
}
