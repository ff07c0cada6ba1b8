// Alerts as readable text on a stream: what the demo prints when no Slack token is configured,
// and what dry-run mode shows instead of posting.
import type { AlertTransport, OutgoingMessage, PostedMessage } from './alert-transport.js';

export interface ConsoleSinkOptions {
  /** Dry run: say so on every message (a token is configured, but nothing is sent). */
  dryRun?: boolean;
  /** Width of the rule between messages. */
  ruleWidth?: number;
}

// a rule as wide as a typical terminal keeps messages apart without wrapping
const DEFAULT_RULE_WIDTH = 72;

export class ConsoleSink implements AlertTransport {
  readonly name: 'console' | 'dry-run';
  private seq = 0;
  /** Messages printed by this process, by dedupe key (a restart prints again: nothing was sent). */
  private readonly printed = new Map<string, PostedMessage>();

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly opts: ConsoleSinkOptions = {},
  ) {
    this.name = opts.dryRun ? 'dry-run' : 'console';
  }

  /** The text block printed for a message. */
  format(msg: OutgoingMessage, ts: string): string {
    const rule = '─'.repeat(this.opts.ruleWidth ?? DEFAULT_RULE_WIDTH);
    const where = msg.threadTs ? `${msg.channel} (thread ${msg.threadTs})` : msg.channel;
    const tag = this.opts.dryRun ? '[dry run] ' : '';
    const body = msg.text
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
    return `${rule}\n${tag}Slack → ${where}  [${ts}]\n${body}\n`;
  }

  async post(msg: OutgoingMessage): Promise<PostedMessage> {
    this.seq += 1;
    // the same shape as a Slack ts, so threading works the same way
    const ts = `${Math.floor(Date.now() / 1000)}.${String(this.seq).padStart(6, '0')}`;
    const posted = { ts, channel: msg.channel };
    this.out.write(this.format(msg, ts));
    this.printed.set(msg.dedupeKey, posted);
    return posted;
  }

  async findPosted(q: { dedupeKey: string }): Promise<PostedMessage | null> {
    return this.printed.get(q.dedupeKey) ?? null;
  }
}
