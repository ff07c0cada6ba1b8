// Configuration of the account-health engine: state windows, component scales and weights, bands,
// priority boosts, outreach lifecycle and the learner. Composed in src/config/schema.ts.
import { z } from 'zod';

const weight = (def: number, why: string) => z.number().min(0).max(1).default(def).describe(why);

export const healthWeights = z
  .strictObject({
    sentiment: weight(0.4, 'Customer tone is the earliest and most direct sign of souring, so it carries the most weight.'),
    ticketRate: weight(0.12, 'More tickets than the account usually files means something is wrong for them.'),
    escalations: weight(0.12, 'Hand-offs to a human show the AI could not help; repeated ones precede most escalations to management (judged in standard deviations of chance, so a busy account\'s usual hand-offs add nothing).'),
    reEscalations: weight(0.1, 'A ticket reopened after a human closed it means the fix did not hold: trust is eroding.'),
    csat: weight(0.3, 'Low CSAT, or CSAT falling below the account\'s own usual, is the customer telling us directly; responses are sparse, so its fall is judged in standard errors and stays a corroborating sign (on generated seeds 1-10 and 21-30 this weight, with the fall, moved the last late souring account from the top 36% of healthy accounts to the top 3%).'),
    aiLoops: weight(0.06, 'Many AI turns without resolution frustrate customers before they say so.'),
    silence: weight(0.03, 'Long silence can be disengagement, but is weak evidence alone.'),
    incidents: weight(0.1, 'Exposure to an open cross-account incident hurts the account even before it complains.'),
  })
  .prefault({})
  .describe('Weight of each component in the health score (shares of the 100 points; divided by their sum, so they need not add up to 1).');
export type HealthWeights = z.infer<typeof healthWeights>;

export const healthConfig = z
  .strictObject({
    windowDays: z.number().int().min(30).max(60).default(45).describe('Days of daily buckets kept per account: the 30-day sentiment slope plus a month before the escalation window to learn what is normal for the account.'),
    recentDays: z.number().int().min(1).default(7).describe('The "recent" window compared with the account\'s own past (a week smooths weekday effects).'),
    escalationWindowDays: z.number().int().min(1).default(14).describe('Escalations and AI loops are counted over this many days: two weeks is how long support remembers a bad stretch.'),
    sentimentHalfLifeDays: z.number().min(0.1).default(4).describe('Half-life of the smoothed sentiment level, in event time: reacts within days, ignores one bad message.'),
    sentimentNeutral: z.number().min(-1).max(1).default(-0.05).describe('Smoothed sentiment at or above which the level adds no risk: about half a within-account spread below where calm accounts sit with the shipped model (+0.09 on generated support text, spread 0.26); 0.1 was set for the analyzer without its model file, whose calm mean is +0.39.'),
    sentimentFloor: z.number().min(-1).max(1).default(-0.3).describe('Smoothed sentiment at which the level risk is full: a mean of -0.3 over many messages means most of them are complaints.'),
    frustratedSentiment: z.number().min(-1).max(1).default(-0.5).describe('A customer message the sentiment analyzer flags as frustrated counts at most this: its support-domain cues ("escalate", "still broken", "second time") carry what a general lexicon scores near neutral (on generated text 41% of souring accounts\' messages are flagged, 11% of noisy and 3% of calm accounts\').'),
    sentimentMessageSd: z.number().min(0.05).max(2).default(0.28).describe('Spread of one message\'s sentiment around its account\'s mean, as the shipped sentiment model scores generated support text (pooled within accounts: 0.26 for calm accounts, 0.30 for noisy ones; the analyzer without a model file spreads them wider, 0.42 and 0.51); turns a fall of the mean into standard errors, so a few messages prove less than many. Re-measure it when the sentiment model changes much.'),
    sentimentShiftFrom: z.number().min(0).default(2).describe('A fall of the recent mean below the account\'s own earlier messages, in standard errors, from which the shift adds risk (smaller falls are chance).'),
    sentimentShiftFull: z.number().min(0.5).default(5).describe('A fall, in standard errors, that counts as full shift risk: a healthy account\'s weekly mean rarely strays this far in a month of checks.'),
    sentimentShiftShare: z.number().min(0).max(1).default(0.6).describe('Share of the sentiment risk that comes from the fall against the account\'s own past (7 or 15 days, whichever is surer) rather than the absolute level: a slide is the earlier sign.'),
    sentimentPriorMessages: z.number().min(0).default(3).describe('Pseudo-count that shrinks sentiment risk for accounts with few messages (3 messages give half confidence).'),
    ticketRatioFull: z.number().min(1.1).default(3).describe('Recent tickets at this multiple of the baseline count as full ticket-rate risk.'),
    ticketPriorTickets: z.number().min(0).default(3).describe('Pseudo-count of tickets added to both sides of the ratio, so 1 vs 3 tickets does not look like a tripling.'),
    ticketDetectorBucketMs: z.number().int().min(60_000).default(86_400_000).describe('Bucket of the per-account ticket-rate detector: a day, the rhythm accounts file tickets in.'),
    escalationSurpriseFrom: z.number().min(0).default(1.5).describe('Escalations above the account\'s usual rate, in standard deviations of chance (Poisson: the square root of the expected count), from which they add risk: a busy account hands off more by chance than a quiet one, so a fixed allowance flagged busy healthy accounts.'),
    escalationSurpriseFull: z.number().min(0.5).default(4).describe('Escalations above the usual rate, in standard deviations of chance, that count as full risk: four is rare for any healthy account in a two-week window.'),
    surprisePseudoCount: z.number().min(0.1).default(1).describe('Added to the expected count under the square root of the escalation and AI-loop surprise, so an account expecting almost none is not judged against a spread of zero (one unexpected hand-off is then one standard deviation).'),
    baselinePriorTickets: z.number().min(0).default(10).describe('Pseudo-tickets at the population rate mixed into an account\'s own escalation, loop and re-escalation rates, so a young or quiet account is judged by the population.'),
    escalationsPerTicketPrior: z.number().min(0).max(1).default(0.12).describe('Population share of tickets handed to a human (a typical AI-first deflection leaves 10-15%).'),
    loopsPerTicketPrior: z.number().min(0).max(1).default(0.04).describe('Population share of tickets where the AI loops.'),
    reEscalationsPerTicketPrior: z.number().min(0).max(1).default(0.01).describe('Population share of tickets reopened after a human resolved them.'),
    reEscalationsFull: z.number().min(0.5).default(2).describe('Re-escalations above the account\'s usual rate, in the escalation window, counted as full risk.'),
    reEscalationAllowance: z.number().min(0).default(0.5).describe('Re-escalations above the usual rate that add no risk (half of one: a single reopen is a weak sign).'),
    csatGood: z.number().min(1).max(5).default(4).describe('Mean CSAT at or above which there is no CSAT risk.'),
    csatBad: z.number().min(1).max(5).default(2).describe('Mean CSAT at which the CSAT risk is full.'),
    csatPriorResponses: z.number().min(0).default(1).describe('Pseudo-count shrinking CSAT risk when there are few responses.'),
    csatResponseSd: z.number().min(0.1).max(4).default(0.6).describe('Spread of one CSAT response around its account\'s mean (pooled over healthy generated accounts: 0.59); turns a fall of the recent mean into standard errors.'),
    csatShiftFrom: z.number().min(0).default(0.7).describe('A fall of the escalation window\'s mean CSAT below the account\'s earlier responses, in standard errors, from which it adds risk: smaller falls are chance.'),
    csatShiftFull: z.number().min(0.5).default(2).describe('A fall, in standard errors, that counts as full shift risk: with three or four responses on each side it is a drop of about a point (say 4.5 to 3.5), and it only corroborates, as sparse responses cannot prove more.'),
    csatShiftShare: z.number().min(0).max(1).default(0.7).describe('Share of the CSAT risk from the fall against the account\'s own earlier responses rather than the absolute mean: an account used to 5s that starts giving 3s is souring even while its mean is still "good".'),
    aiLoopTurns: z.number().int().min(2).default(4).describe('AI replies on one ticket without escalation or resolution that make a loop.'),
    aiLoopSurpriseFrom: z.number().min(0).default(2).describe('AI loops above the account\'s usual rate, in standard deviations of chance (as for escalations), from which they add risk.'),
    aiLoopSurpriseFull: z.number().min(0.5).default(4).describe('AI loops above the usual rate, in standard deviations of chance, that count as full risk.'),
    silenceDays: z.number().min(1).default(21).describe('Days without contact before silence adds risk; three weeks is unusual even for quiet accounts.'),
    silenceFullDays: z.number().min(1).default(45).describe('Days without contact at which the silence risk is full.'),
    incidentsFull: z.number().min(0.5).default(2).describe('Open incidents hitting the account counted as full risk.'),
    maxTrackedTickets: z.number().int().min(1).default(8).describe('Tickets whose turn counts and flags are kept per account (most recent); bounds state size.'),
    maxTrackedIncidents: z.number().int().min(1).default(5).describe('Open incidents remembered per account; bounds state size.'),
    reasonMinPoints: z.number().min(0).default(2).describe('A component must take at least this many points off the score to be listed as a top reason (smaller ones are noise).'),
    maxTopReasons: z.number().int().min(1).default(3).describe('Reasons shown per account: three fit a Slack line and a list row.'),
    corroboration: z.number().min(0).max(2).default(0.8).describe('Extra weight on the risk that other components add beyond the strongest one: weak signs that agree (tone, hand-offs, CSAT) are more telling together than apart, one loud signal alone less so (0.8: a souring account that stays quiet shows only a little of several signs at once).'),
    weights: healthWeights,
    bands: z
      .strictObject({
        healthy: z.number().min(0).max(100).default(85).describe('Score at or above which an account is healthy.'),
        watch: z.number().min(0).max(100).default(75).describe('Score at or above which (and below healthy) an account is on watch.'),
        atRisk: z.number().min(0).max(100).default(50).describe('Score at or above which (and below watch) an account is at risk; below it, critical.'),
      })
      .prefault({})
      .describe('Band thresholds on the 0-100 score.'),
    priority: z
      .strictObject({
        tierEnterprise: z.number().min(0).default(1.5).describe('Priority multiplier for enterprise accounts: the same problem costs most there.'),
        tierGrowth: z.number().min(0).default(1.2).describe('Priority multiplier for growth accounts.'),
        tierStarter: z.number().min(0).default(1).describe('Priority multiplier for starter accounts (the reference).'),
        arrBoost: z.number().min(0).default(0.5).describe('Most extra priority from ARR (at arrCap and above).'),
        arrCap: z.number().min(1).default(500_000).describe('ARR at which the ARR boost is full.'),
        renewalWindowDays: z.number().min(1).default(90).describe('Renewals closer than this raise priority: a quarter is the usual save window.'),
        renewalBoost: z.number().min(0).default(0.4).describe('Most extra priority for a renewal due now.'),
        churnRiskBoost: z.number().min(0).default(0.3).describe('Extra priority when the account is flagged as a churn risk by its owner.'),
      })
      .prefault({})
      .describe('How account value and timing raise the priority of acting (kept apart from health).'),
    outreach: z
      .strictObject({
        openBelowScore: z.number().min(0).max(100).default(75).describe('Open an outreach entry when the score falls below this (the top of the at-risk band by default).'),
        updateMinScoreDelta: z.number().min(0).default(5).describe('An open entry is updated only when the score moved this much or the band changed, to avoid churn in the list.'),
        reopenWorsenBy: z.number().min(0).default(10).describe('A resolved or dismissed entry reopens when the score falls this far below its score at closing.'),
        reopenAfterRecovery: z.number().min(0).max(100).default(85).describe('A closed entry also reopens when the account had recovered to this score and then fell below openBelowScore again.'),
      })
      .prefault({})
      .describe('Outreach list lifecycle.'),
    learner: z
      .strictObject({
        minLabels: z.number().int().min(2).default(40).describe('Labels needed before a model is trained; fewer give an AUC too noisy to gate on.'),
        holdoutShare: z.number().min(0.1).max(0.5).default(0.3).describe('Share of labels held out to measure a candidate (and the current model) on the same split.'),
        epochs: z.number().int().min(1).default(200).describe('Training epochs of the logistic model (small data: full batch, converges in a few hundred).'),
        learningRate: z.number().min(0.0001).default(0.1).describe('Adam learning rate for the logistic model.'),
        l2: z.number().min(0).default(0.001).describe('L2 penalty on weights: keeps the model close to the rules when labels are few.'),
        blend: z.number().min(0).max(1).default(0.35).describe('Share of the risk taken from the learned model once deployed; the rest stays with the explained weights.'),
        minAucGain: z.number().min(0).default(0.005).describe('A candidate must beat the current model\'s held-out AUC by this much to replace it.'),
        maxBrierLoss: z.number().min(0).default(0.005).describe('A candidate may not be worse calibrated (Brier) than the current model by more than this.'),
        minAuc: z.number().min(0).max(1).default(0.6).describe('A first model must reach this held-out AUC, else the rules alone stay.'),
        calibrationBins: z.number().int().min(2).default(5).describe('Bins of the calibration table reported with each model.'),
      })
      .prefault({})
      .describe('Learning from outreach and escalation outcomes.'),
  })
  .prefault({});
export type HealthConfig = z.infer<typeof healthConfig>;

/** The defaults, for callers outside the daemon (tests, bench, scenario replays). */
export function defaultHealthConfig(): HealthConfig {
  return healthConfig.parse(undefined);
}
