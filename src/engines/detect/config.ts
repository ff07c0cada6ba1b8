// Configuration of the detectors (defaults with their reasons). Composed in src/config/schema.ts.
// `detect` tunes the per-series streaming detector; `spikes` the cross-account incident tracker.
import { z } from 'zod';

const unit = () => z.number().min(0).max(1);
const positive = () => z.number().positive();

export const detectConfig = z
  .strictObject({
    levelAlpha: unit().default(0.2).describe('Weight of a new point in the short-term level; high enough that the one-step forecast follows the series and a spike stands out against its recent past (0.2 was best of 0.05-0.3 on the NAB development half).'),
    trendBeta: unit().default(0.01).describe('Weight of a new level change in the trend; small so noise does not read as a trend, yet slow ramps are followed.'),
    scaleAlpha: unit().default(0.005).describe('Weight of a new absolute residual in the robust scale: ~200 points of memory, so a burst of noise does not make the next anomaly look normal.'),
    huberK: positive().default(3).describe('Residuals are clipped at this many scales before they move level and scale, so a single outlier barely shifts the baseline.'),
    shiftRun: z.number().int().min(1).default(6).describe('After this many consecutive residuals beyond huberK scales on one side, the level jumps to the data (level-shift adaptation): a new normal stops alarming.'),
    seasonLevelAlpha: unit().default(0.01).describe('Weight of a new point in the slow level under the seasonal forecast; slow, so the hour-of-day offsets carry the daily shape rather than the level chasing it.'),
    seasonAlpha: unit().default(0.05).describe('Weight of a new residual in its hour-of-day / day-of-week offset; each slot sees a point per hour or per day, so this is ~20 periods of memory.'),
    daySlots: z.number().int().min(1).max(96).default(24).describe('Slots of the daily shape (24: hourly); more follow sharper daily edges but cost state (8-10 bytes each).'),
    seasonGain: unit().default(0.85).describe('Seasonal offsets are used only once they cut the forecast error to below this fraction of the error without them: they must earn their place.'),
    seasonMinDays: positive().default(2).describe('Days of data before seasonal offsets may be used: one day cannot tell a daily pattern from a trend.'),
    histBins: z.number().int().min(4).max(64).default(20).describe('Bins of the long-memory value histogram (values standardised by a slow mean and scale) that scores how rare a value is; 20 bins fit the 2 KB state budget.'),
    histAlpha: unit().default(0.0002).describe('Decay of the value histogram per point (~5000 points of memory): long enough to remember the usual range through quiet spells and a week of 5-minute data.'),
    slowAlpha: unit().default(0.002).describe('Weight of a new point in the slow mean and deviation that standardise the histogram.'),
    rarityWeight: z.number().min(0).default(1).describe('Weight of value rarity (surprise of the histogram bin) next to the forecast-residual surprise.'),
    countMaxMean: positive().default(30).describe('Series of non-negative integers whose level is below this are scored with count (negative binomial) tails, where a normal approximation would be badly wrong.'),
    scaleFloor: z.number().min(0).default(0.003).describe('Smallest scale, as a fraction of the slow mean absolute deviation (or of the value itself): a flat series must not turn a rounding wobble into certainty (0.003 over 0.002 removed three false alarms on the NAB development half, on a noiseless and two near-flat series, and no detection; 0.001 lost 1.1 points).'),
    surpriseLongAlpha: unit().default(0.005).describe('Weight of a new log-surprise in its long-run mean and deviation (~200 points): what counts as usual oddness for this series, following changes of regime.'),
    surpriseSpread: z.number().min(0).default(2).describe('Mean deviations above the usual log-surprise a point must reach to score above 0.'),
    surpriseQuantile: unit().default(0.999).describe('High quantile of the series\' own log-surprise a point must also beat (0 turns this off); on spiky series (frequent bursts) it rises above mean + spread, so routine bursts stop alarming.'),
    quantileStep: z.number().min(0).default(0.2).describe('Step of the running quantile, in mean deviations of log-surprise: it jumps up at each odd point and creeps down ~1/(step*(1-quantile)) points per deviation, which also keeps one anomaly from alarming on every point.'),
    scoreScale: positive().default(3).describe('Log-surprise above the usual level that maps to a score of 1 - 1/e; large enough that scores do not pile up at 1 and a threshold can still rank them.'),
    holdPoints: z.number().int().min(0).default(200).describe('After a reported score, later scores are passed on only if they beat it, with its bar fading linearly to 0 over this many points (0: off): one episode is one report, not a run of false alarms (NAB credits only the earliest detection; 200 beat 25-400 on both halves of the NAB development files, and still beat 125-250 with the episode and alarm-load reporting).'),
    episodePoints: z.number().int().min(0).default(2).describe('With the hold on, a higher score within this many points of a report belongs to the same episode: it raises the hold bar but is not reported again (a spike and its next point are one event, not a false alarm after it; 2 gained on both NAB development sub-halves, 3-5 lost windows on one).'),
    alarmLoadGain: z.number().min(0).default(3).describe('With the hold on, scores are divided by 1 + this * the decayed sum of recent reported scores (0: off): a series that keeps reporting (routine bursts) ranks its next report lower than a quiet series does, so one threshold fits both (1-10 all gained on NAB development sub-half B and were level or better on A; 3 is the middle).'),
    alarmLoadAlpha: unit().default(0.001).describe('Per-point decay of the recent reported-score sum behind alarmLoadGain: ~1000 points of memory, several hold periods (0.0005-0.003 behaved alike on the NAB development sub-halves).'),
    sustainAlpha: unit().default(0.05).describe('Weight of a new point in the short average of surprise (of the seasonal forecast when it is in use) that a second, self-normalised channel scores (0: off): a run of moderately odd points or a broken daily shape is news even when no single point is (~20 points; with the episode and alarm-load reporting, 0.03-0.07 scored best on both NAB development sub-halves, 0.3 lost 1.2-1.7 points on each).'),
    driftAlpha: unit().default(0.02).describe('Weight of a new point in a short average of the value (~50 points) whose distance from the slow mean, in slow deviations, a third self-normalised channel scores (0: off): a level shift or drift the fast forecast follows point by point still shows at this scale (0.01-0.03 were all best on both NAB sub-halves; 0.02 is the middle).'),
    recordDecay: unit().default(0.00005).describe('Per-point shrink of the record range (highest and lowest value seen) towards the slow mean: ~20000 points of memory, so an extreme from long ago is slowly forgotten (1e-5 to 1e-4 were equally good on both NAB sub-halves; 5e-5 is the middle).'),
    recordWeight: z.number().min(0).default(0.3).describe('Excess score per range width by which a value breaks the record range (0: off): a value never seen before is news even on a series whose bursts are routine (0.1-0.3 best on both NAB sub-halves).'),
    profileAlpha: unit().default(0.2).describe('Weight of a new point in its hour-of-day slot of the raw daily profile (0: off); per visit of an hour, so ~5 days of memory: a day that breaks the usual daily shape (a missing daily peak) is scored even when the level-following forecasts explain each point (0.1-0.5 all helped on both NAB sub-halves); used for counts too.'),
    profileShortAlpha: unit().default(0.01).describe('Weight of a new profile residual in its short average (~100 points), the input of the daily-shape channel: a broken day is a run of residuals, not one point (0.01 was best on sub-half A and on B, 0.005-0.02 within 1.5 points; 0.05+ adds false alarms).'),
    warmupPoints: z.number().int().min(1).default(20).describe('Points before any score above 0: scale and level need a few points to mean anything.'),
  })
  .prefault({});
export type DetectConfig = z.infer<typeof detectConfig>;

export const spikesConfig = z
  .strictObject({
    bucketMs: z.number().int().min(1000).default(60_000).describe('Event-time bucket of the per-cluster counts; one minute reacts quickly without being all noise.'),
    minAccounts: z.number().int().min(1).default(3).describe('Distinct accounts that must be hit in the onset bucket (or their weights must add up to this, from at least minDistinctAccounts): one noisy account is not an outage.'),
    minDistinctAccounts: z.number().int().min(1).default(2).describe('Floor of distinct accounts even when high-value weights add up to minAccounts: a single enterprise account alone is an account issue, not a spike.'),
    minRatio: z.number().min(1).default(3).describe('Bucket count over baseline needed to open, also without the busiest account (a spread, not one loud account): a statistically odd but small rise is not worth paging engineering.'),
    rateHalfLifeBuckets: z.number().int().min(1).default(4320).describe('Half-life, in buckets, of each cluster\'s long-run mean rate (3 days of minutes): the baseline floor for clusters too sparse for the detector\'s typical-bucket level, forgetting old levels within days.'),
    minWindowCount: z.number().int().min(1).default(5).describe('Fewest events of the cluster in the trailing window to open an incident: three accounts with one ticket each in an hour is a coincidence more often than an outage.'),
    maxChanceProbability: unit().default(1e-3).describe('Largest (two-sided Poisson) probability of the distinct accounts in the trailing window or the bucket, under the cluster\'s own expected rate for it to open an incident; checked at each bucket close together with the ratio, accounts and spread conditions; on generated 35-day scenarios of 400 accounts (seeds 7, 8, 9, 11) 1e-2 opens the shared outage within 20 min every time but also about one chance incident a day; 1e-3 gave 0-1 chance incidents per scenario but misses slow trickles.'),
    windowBuckets: z.number().int().min(1).default(60).describe('Trailing window (in buckets, an hour of minutes) over which accounts are counted and the rate is also compared: an outage that trickles in never puts three accounts in one minute.'),
    baselineFloor: positive().default(2).describe('Smallest expected count over the trailing window in ratios (per bucket: this / windowBuckets), so a brand-new cluster with no history gets a finite, meaningful ratio.'),
    spreadRatio: z.number().min(0).default(1.5).describe('Without the busiest account, the window count over its baseline must still reach this: the rise is spread over accounts, not one loud account with background around it.'),
    growthFactor: z.number().min(1).default(2).describe('An open incident reports `grew` when its bucket count or accounts reach this multiple of what was last reported.'),
    quietRatio: z.number().min(0).default(2).describe('A bucket is quiet when the trailing-window count is below this multiple of the onset window baseline (the low hysteresis threshold).'),
    quietBuckets: z.number().int().min(1).default(15).describe('Consecutive quiet buckets that resolve an incident; long enough that a flapping error does not open and close over and over.'),
    cooldownBuckets: z.number().int().min(0).default(30).describe('Buckets after a resolution during which the same cluster needs twice minRatio to reopen (hysteresis against flapping).'),
    seriesBuckets: z.number().int().min(1).default(30).describe('Recent buckets (count and baseline) carried in each finding, for the Slack chart.'),
    maxAccountsListed: z.number().int().min(1).default(20).describe('Most affected accounts listed in a finding (largest first); the count of all of them is kept.'),
    maxClusters: z.number().int().min(1).default(5000).describe('Most clusters tracked; beyond it the least recently active cluster without an open incident is forgotten, bounding memory.'),
    maxCatchUpBuckets: z.number().int().min(1).default(1440).describe('Most empty buckets replayed into a detector after a silent spell (a day of minutes); longer gaps are skipped, the detector treats them as a gap.'),
    sev1WeightedAccounts: z.number().min(1).default(15).describe('Weighted affected accounts (enterprise weighs more) that make an incident sev1.'),
    sev2WeightedAccounts: z.number().min(1).default(6).describe('Weighted affected accounts that make an incident at least sev2.'),
    sev1Ratio: z.number().min(1).default(30).describe('Rate ratio that makes an incident sev1 (with at least sev2WeightedAccounts).'),
    sev2Ratio: z.number().min(1).default(10).describe('Rate ratio that makes an incident at least sev2.'),
    detector: detectConfig
      .prefault({ surpriseQuantile: 0, holdPoints: 0 })
      .describe('Per-cluster count detector (the `vigil detect` detector). Its running-quantile bar and its report-once hold are off by default (surpriseQuantile 0, holdPoints 0): the incident lifecycle already handles repeats, and a bar raised by one burst must not hide the next.'),
  })
  .prefault({});
export type SpikesConfig = z.infer<typeof spikesConfig>;
