// Configuration of alerting: Slack connection, routing, quiet hours, cooldowns, delivery and
// redaction (defaults with their reasons). Composed in src/config/schema.ts.
import { z } from 'zod';

const SEVERITIES = ['sev1', 'sev2', 'sev3'] as const;
const TIER_NAMES = ['enterprise', 'growth', 'starter'] as const;
const BAND_NAMES = ['healthy', 'watch', 'at-risk', 'critical'] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

export const alertsSlackConfig = z
  .strictObject({
    token: z
      .string()
      .default('')
      .describe('Slack bot token. Set it ONLY through the environment (SLACK_BOT_TOKEN), never in a file. Empty: alerts are printed by the console sink instead of sent.'),
    apiUrl: z
      .string()
      .default('')
      .describe('Slack Web API base URL (the slackApiUrl of @slack/web-api). Empty: Slack itself; tests point it at a local server.'),
    requestTimeoutMs: z.number().int().min(100).default(15_000).describe('Time limit of one Slack API request; an unanswered post is then treated as "maybe delivered" and checked before any repost.'),
  })
  .prefault({});

export const tierOverride = z.strictObject({
  tier: z.enum(TIER_NAMES).describe('Accounts of this tier get the override.'),
  kinds: z
    .array(z.enum(['incident', 'account']))
    .default(['account'])
    .describe('Which alerts the override applies to: account alerts, and/or incidents whose most valuable affected account has this tier.'),
  channel: z.string().default('').describe('Channel for these alerts; empty keeps the channel of the kind.'),
  mentionOwner: z.boolean().default(true).describe("Mention the account owner (their Slack user id) so a named person acts, not a channel."),
  mention: z.string().default('').describe('Extra mention, e.g. "!here" or a user-group id "S012AB3CD"; empty: none.'),
});
export type TierOverride = z.infer<typeof tierOverride>;

export const alertsRoutingConfig = z
  .strictObject({
    engineeringChannel: z.string().default('#vigil-incidents').describe('Where cross-account error incidents go: engineering owns the fix.'),
    supportChannel: z.string().default('#vigil-accounts').describe('Where account alerts, the outreach digest and the weekly report go: support owns the relationship.'),
    minIncidentSeverity: z
      .enum(SEVERITIES)
      .default('sev3')
      .describe('Least severe incident that is sent (sev1 most severe). sev3 sends all: a spike across accounts is worth a look.'),
    accountBands: z
      .array(z.enum(BAND_NAMES))
      .default(['at-risk', 'critical'])
      .describe('Bands whose account alerts are sent; "watch" is left to the dashboard and the digest to keep the channel actionable.'),
    tierOverrides: z
      .array(tierOverride)
      .default([{ tier: 'enterprise', kinds: ['account'], channel: '', mentionOwner: true, mention: '' }])
      .describe('Per-tier routing. Default: enterprise account alerts mention the account owner (no dedicated channel, as it would have to exist first).'),
  })
  .prefault({});

export const alertsQuietHoursConfig = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Hold non-critical alerts during quiet hours and send them as one summary afterwards. Off by default: who is on call is team policy.'),
    timezone: z.string().default('UTC').describe('IANA time zone the quiet hours are in (the team\'s, not the server\'s).'),
    start: hhmm.default('22:00').describe('Local time quiet hours begin.'),
    end: hhmm.default('08:00').describe('Local time quiet hours end; held alerts are released then as one summary per channel.'),
    passSeverities: z
      .array(z.enum(SEVERITIES))
      .default(['sev1'])
      .describe('Incident severities that are critical enough to go out during quiet hours (someone should be woken for an outage).'),
    passBands: z
      .array(z.enum(BAND_NAMES))
      .default(['critical'])
      .describe('Account bands that go out during quiet hours anyway; at-risk can wait for the morning.'),
  })
  .prefault({});

export const alertsCooldownConfig = z
  .strictObject({
    groupWindowMs: z.number().int().min(1000).default(60 * 60_000).describe('Window of the per-group message budget (one incident cluster, or one account).'),
    maxMessagesPerGroup: z
      .number()
      .int()
      .min(1)
      .default(4)
      .describe('Most messages per group per window; later updates wait and only the newest is sent (opened, grew, resolved, reopened fit in one hour).'),
    reopenThreadMs: z
      .number()
      .int()
      .min(0)
      .default(6 * 60 * 60_000)
      .describe('A new incident of the same error cluster within this time of the last one is posted in the old thread as "re-opened", not as a new top-level alert (a flapping error stays one conversation).'),
    accountRepeatMs: z
      .number()
      .int()
      .min(0)
      .default(24 * 60 * 60_000)
      .describe('An account alert in the same or a milder band within this time of the last one is suppressed; a worse band is always sent. A day matches the daily outreach rhythm.'),
  })
  .prefault({});

export const alertsDeliveryConfig = z
  .strictObject({
    pollMs: z.number().int().min(50).default(1000).describe('How often the sender looks for due alerts; a second is prompt for humans and cheap for the store.'),
    batchSize: z.number().int().min(1).default(20).describe('Alerts claimed per pass; Slack allows about one post per second per channel, so more would only queue.'),
    channelIntervalMs: z
      .number()
      .int()
      .min(0)
      .default(1000)
      .describe(
        'Least time between two posts to one channel by the background sender: Slack allows about one message per second per channel, so a backlog goes out at that pace instead of into rate limits, and its claims do not crowd the store. 0: no pace. An explicit flush (vigil demo) is not paced.',
      ),
    maxAttempts: z.number().int().min(1).default(8).describe('Attempts before an alert is marked failed (rate-limit waits do not count); 8 with the backoff below spans about 10 minutes.'),
    backoffBaseMs: z.number().int().min(1).default(2000).describe('Delay after the first failed attempt; doubles each attempt.'),
    backoffMaxMs: z.number().int().min(1).default(5 * 60_000).describe('Longest delay between attempts, so an alert is still tried during a long Slack outage.'),
    jitter: z.number().min(0).max(1).default(0.5).describe('Fraction of each delay that is random, so several daemons do not retry in lockstep.'),
    staleClaimMs: z
      .number()
      .int()
      .min(1000)
      .default(2 * 60_000)
      .describe('A claim older than this belongs to a daemon that died mid-send; it is recovered (checked in Slack first). Well above slack.requestTimeoutMs.'),
    claimRetentionMs: z
      .number()
      .int()
      .min(60_000)
      .default(24 * 60 * 60_000)
      .describe('How long claim records (which make a claim exclusive across daemons) are kept; far longer than any pass, so a stale reader can never reuse one.'),
    historyPages: z.number().int().min(1).default(5).describe('Pages of channel history read to find a message that may already have been posted before a crash.'),
    recoverySkewMs: z.number().int().min(0).default(5 * 60_000).describe('Slack history is searched from this long before the claim, to allow for clock skew between the daemon and Slack.'),
  })
  .prefault({});

export const alertsArchiveConfig = z
  .strictObject({
    afterMs: z
      .number()
      .int()
      .min(0)
      .default(60 * 60_000)
      .describe(
        'Finished alerts (sent, failed, released, suppressed, superseded) enqueued longer ago than this move to the alertArchive collection: the outbox and the sender read and write alerts by id, which FerretDB pays for with a scan of the collection, so it holds the open alerts and the last hour only.',
      ),
    intervalMs: z
      .number()
      .int()
      .min(1000)
      .default(10 * 60_000)
      .describe('How often the background sender moves finished alerts to the archive; each move reads the working collection once.'),
  })
  .prefault({});

export const alertsRedactionConfig = z
  .strictObject({
    ips: z
      .boolean()
      .default(true)
      .describe('Also redact IP addresses. On: customer IPs are personal data; turn off if error messages carry only internal addresses engineers need.'),
    maxSamples: z.number().int().min(0).default(3).describe('Sample messages shown in an incident alert; three show the variation without flooding the channel.'),
    maxSampleChars: z.number().int().min(20).default(300).describe('Longest sample shown; the rest is cut (stack traces belong in the dashboard).'),
  })
  .prefault({});

export const alertsConfig = z
  .strictObject({
    dryRun: z.boolean().default(false).describe('Render alerts to the console and record them, but never call Slack (for trying out routing on live data).'),
    slack: alertsSlackConfig,
    routing: alertsRoutingConfig,
    quietHours: alertsQuietHoursConfig,
    cooldown: alertsCooldownConfig,
    delivery: alertsDeliveryConfig,
    archive: alertsArchiveConfig,
    redaction: alertsRedactionConfig,
    topAccounts: z.number().int().min(1).max(10).default(5).describe('Affected accounts listed by name in an incident alert (Slack sections hold 10 fields).'),
    digestItems: z.number().int().min(1).max(40).default(10).describe('Accounts listed in the outreach digest; a morning list longer than ten is not worked through.'),
  })
  .prefault({});
export type AlertsConfig = z.infer<typeof alertsConfig>;
