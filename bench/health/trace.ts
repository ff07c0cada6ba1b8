// Prints one account's health components every check around its churn or escalation event: the
// tool for asking why a souring account was flagged late (or a healthy one flagged at all).
// Run: npx tsc -p tsconfig.json && node dist/bench/health/trace.js --seed 8 --account acct-0174 [--from-days 12] [--accounts 400] [--days 42]
import type { VigilEvent } from '../../src/events/types.js';
import { advanceTo, applyEvent, newAccountState, setIncidentExposure } from '../../src/engines/health/account-state.js';
import { defaultHealthConfig } from '../../src/engines/health/config.js';
import { scoreAccount } from '../../src/engines/health/health-score.js';
import { createSentimentAnalyzer } from '../../src/engines/sentiment/model-file.js';
import { sentimentConfig } from '../../src/engines/sentiment/config.js';
import { generateScenario } from '../../src/scenario/generate.js';
import { DEFAULT_REPLAY_OPTIONS } from '../../src/scenario/replay.js';

const DAY = 86_400_000;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

const seed = Number(arg('seed', '1'));
const accountId = arg('account', '');
const fromDays = Number(arg('from-days', '12'));
const cfg = defaultHealthConfig();
const analyzer = createSentimentAnalyzer(sentimentConfig.parse(undefined));
const sc = generateScenario({ seed, accounts: Number(arg('accounts', '400')), days: Number(arg('days', '42')), startMs: Date.UTC(2026, 9, 5) });
const truth = sc.truth.souring.find((s) => s.accountId === accountId);
const account = sc.accounts.find((a) => a.accountId === accountId);
const role = truth ? `souring (${truth.kind})` : sc.truth.noisyHealthy.includes(accountId) ? 'noisy healthy' : 'healthy';
const mine = sc.events.filter((e) => e.accountId === accountId) as VigilEvent[];
const start = Math.floor(sc.events[0]!.occurredAt / DAY) * DAY;
const end = truth ? truth.eventAt : sc.events[sc.events.length - 1]!.occurredAt;
const showFrom = truth ? truth.eventAt - fromDays * DAY : start + 10 * DAY;
const step = DEFAULT_REPLAY_OPTIONS.checkEveryMs;
const day = (ms: number) => ((ms - start) / DAY).toFixed(2);
console.log(`seed ${seed} ${accountId}: ${role}, tier ${account?.tier}${truth ? `, slide from day ${day(truth.souringFrom)}, event at day ${day(truth.eventAt)}` : ''}, spike-hit ${sc.truth.spike.accountIds.includes(accountId)}`);

const state = newAccountState(accountId, cfg);
const incOpen = sc.truth.spike.startMs + DEFAULT_REPLAY_OPTIONS.incidentOpenDelayMs;
const incClose = sc.truth.spike.endMs + DEFAULT_REPLAY_OPTIONS.incidentOpenForMs;
const hit = sc.truth.spike.accountIds.includes(accountId);
let k = 0;
const short: Record<string, string> = { sentiment: 'sent', ticketRate: 'rate', escalations: 'esc', reEscalations: 'reEsc', csat: 'csat', aiLoops: 'loop', silence: 'sil', incidents: 'inc' };
for (let at = start + step; at <= end + step; at += step) {
  const dayLog: string[] = [];
  for (; k < mine.length && mine[k]!.occurredAt < at; k++) {
    const ev = mine[k]!;
    let sentiment: number | undefined;
    let frustration = false;
    if (ev.type === 'ticket.message' && ev.author === 'customer' && ev.text) ({ score: sentiment, frustration } = analyzer.analyze(ev.text));
    applyEvent(state, ev, sentiment === undefined ? {} : { sentiment, frustration }, cfg);
    if (ev.type === 'ticket.created') dayLog.push('T');
    else if (ev.type === 'ticket.escalated') dayLog.push('E');
    else if (ev.type === 'ticket.reopened') dayLog.push('R');
    else if (ev.type === 'ticket.csat') dayLog.push(`c${ev.csat}`);
    else if (sentiment !== undefined) dayLog.push(sentiment.toFixed(1) + (frustration ? '!' : ''));
  }
  if (hit) setIncidentExposure(state, 'spike-1', at >= incOpen && at < incClose, incOpen);
  if (at > end) break;
  advanceTo(state, at, cfg);
  const h = scoreAccount(state, account, at, cfg);
  if (at < showFrom) continue;
  const comps = h.components.map((c) => `${short[c.name] ?? c.name}=${c.value}/${c.risk}`).join(' ');
  const slopes = `lvl ${h.trends.sentimentLevel} s7 ${h.trends.sentimentSlope7} s30 ${h.trends.sentimentSlope30}`;
  console.log(`d${day(at)} ${truth ? `(-${((truth.eventAt - at) / DAY).toFixed(1)}d)` : ''} ${String(h.score).padStart(5)} ${h.band.padEnd(8)} ${comps} | ${slopes} | ${dayLog.join(' ')}`);
}
