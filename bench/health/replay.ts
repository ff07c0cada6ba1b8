// Health benchmark: replays generated scenarios (seeds 1..5 by default) through the sentiment
// analyzer and the health engine; prints lead times, false alarms, scoring speed and state size.
// Run: npx tsc -p tsconfig.json && node dist/bench/health/replay.js [--seeds 1,2,3,4,5] [--accounts 400] [--days 42] [--learner models/health/current.json] [--score-n 100000] [--sentiment shipped|lexicon] [--health JSON]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LearnerModel } from '../../src/engines/health/learner-model.js';
import { healthConfig } from '../../src/engines/health/config.js';
import { advanceTo, messageSentiment, restoreAccountState, type AccountState } from '../../src/engines/health/account-state.js';
import { scoreAccount } from '../../src/engines/health/health-score.js';
import { SentimentAnalyzer } from '../../src/engines/sentiment/analyzer.js';
import { createSentimentAnalyzer } from '../../src/engines/sentiment/model-file.js';
import { sentimentConfig } from '../../src/engines/sentiment/config.js';
import { generateScenario } from '../../src/scenario/generate.js';
import { replayScenario } from '../../src/scenario/replay.js';

const DAY = 86_400_000;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

const seeds = arg('seeds', '1,2,3,4,5').split(',').map(Number);
const accounts = Number(arg('accounts', '400'));
const days = Number(arg('days', '42'));
const scoreN = Number(arg('score-n', '100000'));
const startMs = Date.UTC(2026, 9, 5);
// --health '{"sentimentNeutral":0}' tries other health settings (validated like the config file's health section)
const cfg = healthConfig.parse(JSON.parse(arg('health', '{}')));
const learnerPath = arg('learner', '');
const learner = learnerPath ? (JSON.parse(readFileSync(learnerPath, 'utf8')) as LearnerModel) : undefined;
// The daemon's analyzer (the shipped model in models/sentiment) unless --sentiment lexicon asks for
// the analyzer's built-in defaults, which is what this bench measured up to 95bfa8a.
const sentimentMode = arg('sentiment', 'shipped');
const analyzer = sentimentMode === 'lexicon' ? new SentimentAnalyzer(sentimentConfig.parse(undefined)) : createSentimentAnalyzer(sentimentConfig.parse(undefined));

let allEarly = true;
let worstFa = 0;
let lastStates: Map<string, AccountState> | undefined;
let lastNow = 0;
const rows: Array<{ seed: number; early: number; total: number; leads: number[]; fa: number; healthy: number; noisy: number; of: number }> = [];
const q = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
console.log(`health bench: ${accounts} accounts, ${days} days, seeds ${seeds.join(',')}, sentiment ${sentimentMode === 'lexicon' ? 'built-in lexicon defaults' : 'shipped model'}${learner ? `, learner ${learner.version} blended at ${cfg.learner.blend}` : ', rules only'}`);
for (const seed of seeds) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const sc = generateScenario({ seed, accounts, days, startMs });
  const genMs = performance.now() - t0;
  const genCpu = process.cpuUsage(c0);
  const t1 = performance.now();
  // The daemon hands the analyzer's score and frustration flag to the health engine; the replay
  // takes one number per text, so the flag is folded in here the same way the engine folds it.
  const sentimentOf = (text: string) => {
    const a = analyzer.analyze(text);
    return messageSentiment(a.score, a.frustration, cfg);
  };
  const r = replayScenario(sc, cfg, sentimentOf, learner ? { learner } : {});
  const replayMs = performance.now() - t1;
  const early = r.souring.filter((s) => s.early).length;
  const continuous = r.souring.filter((s) => s.continuousLeadMs >= 3 * DAY).length;
  const leads = r.souring.map((s) => s.leadMs / DAY).sort((a, b) => a - b);
  const medLead = leads[leads.length >> 1]!;
  allEarly &&= early === r.souring.length;
  worstFa = Math.max(worstFa, r.falseAlarmRate);
  console.log(
    `seed ${seed}: ${sc.events.length} events (generated in ${genMs.toFixed(0)} ms wall, ${((genCpu.user + genCpu.system) / 1000).toFixed(0)} ms CPU; replayed in ${replayMs.toFixed(0)} ms); ` +
      `souring flagged >= 3 d early ${early}/${r.souring.length} (median lead ${medLead.toFixed(1)} d; still flagged without a break from 3 d before: ${continuous}/${r.souring.length}); false alarms ${(r.falseAlarmRate * 100).toFixed(1)}% ` +
      `(${r.healthyFlagged.length} healthy + ${r.noisyFlagged.length} noisy of ${r.healthyTotal})`,
  );
  const leadList = r.souring
    .map((s) => `${s.accountId}(${s.kind[0]}) ${(s.leadMs / DAY).toFixed(1)}d${s.early ? '' : ' LATE'}`)
    .join(', ');
  console.log(`  lead times: ${leadList}`);
  rows.push({ seed, early, total: r.souring.length, leads, fa: r.falseAlarmRate, healthy: r.healthyFlagged.length, noisy: r.noisyFlagged.length, of: r.healthyTotal });
  lastStates = r.states;
  lastNow = sc.events[sc.events.length - 1]!.occurredAt;
}

// One table over the seeds: lead time distribution (days) and false alarms.
console.log('seed | early >= 3 d | lead min / p10 / median / p90 (d) | false alarms (healthy + noisy of all healthy)');
for (const x of rows) {
  console.log(
    `${String(x.seed).padStart(4)} | ${x.early}/${x.total}${x.early < x.total ? ' LATE' : ''} | ${[q(x.leads, 0), q(x.leads, 0.1), q(x.leads, 0.5), q(x.leads, 0.9)].map((v) => v.toFixed(1)).join(' / ')} | ${(x.fa * 100).toFixed(1)}% (${x.healthy} + ${x.noisy} of ${x.of})`,
  );
}
const allLeads = rows.flatMap((x) => x.leads).sort((a, b) => a - b);
const totalEarly = rows.reduce((a, x) => a + x.early, 0);
const totalSouring = rows.reduce((a, x) => a + x.total, 0);
console.log(
  ` all | ${totalEarly}/${totalSouring} | ${[q(allLeads, 0), q(allLeads, 0.1), q(allLeads, 0.5), q(allLeads, 0.9)].map((v) => v.toFixed(1)).join(' / ')} | mean ${((rows.reduce((a, x) => a + x.fa, 0) / rows.length) * 100).toFixed(1)}%, worst ${(worstFa * 100).toFixed(1)}%`,
);

// State size, from the last seed's final states. The replay stops advancing a souring account at
// its event (its later tickets pile up as open detector buckets); the daemon advances every account
// to the watermark before it checkpoints, so the states are measured that way.
for (const s of lastStates!.values()) advanceTo(s, lastNow, cfg);
const sizes = [...lastStates!.values()].map((s) => JSON.stringify(s).length).sort((a, b) => a - b);
console.log(`state size: median ${sizes[sizes.length >> 1]} B, p99 ${sizes[Math.floor(sizes.length * 0.99)]} B, max ${sizes[sizes.length - 1]} B`);

// Scoring speed: scoreN accounts restored from the last seed's states (round-tripped through JSON).
const pool = [...lastStates!.values()].map((s) => JSON.stringify(s));
const many: AccountState[] = [];
for (let i = 0; i < scoreN; i++) many.push(restoreAccountState(pool[i % pool.length]!));
for (let i = 0; i < 1000; i++) scoreAccount(many[i]!, undefined, lastNow, cfg); // warm up the JIT
const t2 = performance.now();
const c2 = process.cpuUsage();
let sum = 0;
for (const s of many) sum += scoreAccount(s, undefined, lastNow, cfg).score;
const scoreMs = performance.now() - t2;
const scoreCpu = process.cpuUsage(c2);
console.log(
  `scoring ${scoreN} accounts: ${scoreMs.toFixed(0)} ms wall, ${((scoreCpu.user + scoreCpu.system) / 1000).toFixed(0)} ms CPU (mean score ${(sum / scoreN).toFixed(1)})`,
);
console.log(`targets: every souring account >= 3 days early: ${allEarly ? 'yes' : 'NO'}; worst false alarm rate ${(worstFa * 100).toFixed(1)}% (<= 10%: ${worstFa <= 0.1 ? 'yes' : 'NO'})`);
