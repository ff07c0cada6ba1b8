// Delivery to Slack with @slack/web-api: posts carry the dedupe key as message metadata so a
// post that may have landed before a crash can be found again; the client's own retries are off.
import {
  ErrorCode,
  LogLevel,
  WebClient,
  type Logger as SlackLogger,
  type WebAPIHTTPError,
  type WebAPIPlatformError,
  type WebAPIRateLimitedError,
} from '@slack/web-api';
import type { AlertTransport, OutgoingMessage, PostedMessage } from '../alert-transport.js';
import { DeliveryError } from '../delivery-error.js';
import { escapeMrkdwn } from '../blocks.js';
import type { AlertLogger } from '../alert-logger.js';

/** The metadata event type Vigil tags its messages with. */
export const METADATA_EVENT_TYPE = 'vigil_alert';

// Slack error codes that mean "try again later" rather than "this will never work"
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);
// of those, the ones where the message may have been posted anyway
const UNCERTAIN_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'request_timeout']);

const CHANNEL_ID = /^[CGDZ][A-Z0-9]{6,}$/;

export interface SlackTransportOptions {
  token: string;
  /** Base URL of the Web API; empty or undefined: Slack. */
  apiUrl?: string;
  requestTimeoutMs: number;
  /** Pages of history read by findPosted. */
  historyPages: number;
  logger?: AlertLogger;
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

function slackLogger(logger: AlertLogger | undefined): SlackLogger {
  // the client logs every failed request at warn; the sender logs what matters with context
  let level = LogLevel.DEBUG;
  const log = (msgs: unknown[]) => logger?.debug({ slack: msgs.map(String).join(' ') }, 'slack client');
  return {
    debug: (...m: unknown[]) => log(m),
    info: (...m: unknown[]) => log(m),
    warn: (...m: unknown[]) => log(m),
    error: (...m: unknown[]) => log(m),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/** Maps a @slack/web-api error to a DeliveryError the sender can act on. */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case ErrorCode.RateLimitedError: {
      const retryAfter = (err as WebAPIRateLimitedError).retryAfter;
      return new DeliveryError('rate_limited', `Slack rate limit: retry after ${retryAfter} s`, false, Math.max(0, retryAfter) * 1000);
    }
    case ErrorCode.HTTPError: {
      const status = (err as WebAPIHTTPError).statusCode;
      // Slack uses 200, 429 and 5xx; anything else is a proxy or configuration problem
      return status >= 500
        ? new DeliveryError('transient', `Slack HTTP ${status}`, true)
        : new DeliveryError('permanent', `Slack HTTP ${status}`, false);
    }
    case ErrorCode.PlatformError: {
      const slackError = (err as WebAPIPlatformError).data?.error ?? 'unknown_error';
      if (slackError === 'ratelimited') {
        const retryAfter = Number((err as WebAPIPlatformError).data?.response_metadata?.retryAfter ?? 1);
        return new DeliveryError('rate_limited', 'Slack rate limit (ratelimited)', false, Math.max(1, retryAfter) * 1000);
      }
      if (TRANSIENT_PLATFORM_ERRORS.has(slackError)) return new DeliveryError('transient', `Slack error: ${slackError}`, UNCERTAIN_PLATFORM_ERRORS.has(slackError));
      return new DeliveryError('permanent', `Slack error: ${slackError}`, false);
    }
    case ErrorCode.RequestError:
      // timeout, reset or refused: the request may or may not have been processed
      return new DeliveryError('transient', `Slack request failed: ${message}`, true);
    default:
      return new DeliveryError('transient', `Slack call failed: ${message}`, true);
  }
}

export class SlackTransport implements AlertTransport {
  readonly name = 'slack' as const;
  private readonly client: WebClient;
  /** Channel names seen in post answers, mapped to ids (history lookups need ids). */
  private readonly channelIds = new Map<string, string>();

  constructor(private readonly opts: SlackTransportOptions) {
    const apiUrl = opts.apiUrl ? (opts.apiUrl.endsWith('/') ? opts.apiUrl : opts.apiUrl + '/') : undefined;
    this.client = new WebClient(opts.token, {
      ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
      // Retries live in the outbox: durable across restarts, visible in the store and metrics,
      // and a 429 pauses every alert instead of one request.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: opts.requestTimeoutMs,
      logger: slackLogger(opts.logger),
    });
  }

  async post(msg: OutgoingMessage): Promise<PostedMessage> {
    try {
      const res = await this.client.chat.postMessage({
        channel: msg.channel,
        // Slack reads `text` as markup: the plain version must not open links or mentions
        text: escapeMrkdwn(msg.text),
        blocks: msg.blocks,
        ...(msg.threadTs ? { thread_ts: msg.threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
        metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { dedupe_key: msg.dedupeKey } },
      });
      if (!res.ts) throw new DeliveryError('transient', 'Slack answered without a message ts', true);
      const channel = res.channel ?? msg.channel;
      this.channelIds.set(msg.channel, channel);
      return { ts: res.ts, channel };
    } catch (err) {
      throw toDeliveryError(err);
    }
  }

  private async channelId(channel: string): Promise<string | null> {
    if (CHANNEL_ID.test(channel)) return channel;
    const known = this.channelIds.get(channel);
    if (known) return known;
    const name = channel.replace(/^#/, '');
    let cursor: string | undefined;
    for (let page = 0; page < this.opts.historyPages; page++) {
      const res = await this.client.conversations.list({ types: 'public_channel,private_channel', limit: 200, exclude_archived: true, ...(cursor ? { cursor } : {}) });
      const hit = res.channels?.find((c) => c.name === name);
      if (hit?.id) {
        this.channelIds.set(channel, hit.id);
        return hit.id;
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return null;
  }

  async findPosted(q: { channel: string; threadTs?: string; dedupeKey: string; sinceMs: number }): Promise<PostedMessage | null> {
    try {
      const channel = await this.channelId(q.channel);
      if (!channel) return null;
      const oldest = (Math.max(0, q.sinceMs) / 1000).toFixed(6);
      let cursor: string | undefined;
      for (let page = 0; page < this.opts.historyPages; page++) {
        const common = { channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
        const res = q.threadTs
          ? await this.client.conversations.replies({ ...common, ts: q.threadTs })
          : await this.client.conversations.history(common);
        const messages = (res.messages ?? []) as HistoryMessage[];
        const hit = messages.find((m) => m.metadata?.event_type === METADATA_EVENT_TYPE && m.metadata.event_payload?.dedupe_key === q.dedupeKey);
        if (hit?.ts) return { ts: hit.ts, channel };
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      return null;
    } catch (err) {
      throw toDeliveryError(err);
    }
  }
}
