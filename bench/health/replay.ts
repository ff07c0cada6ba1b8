// Health benchmark: replays generated scenarios (seeds 1..5 by default) through the sentiment
// analyzer and the health engine; prints lead times, false alarms, scoring speed and state size.
// Run: npx tsc -p tsconfig.json && node dist/bench/health/replay.js [--seeds 1,2,3,4,5] [--accounts 400] [--days 42] [--learner models/health/current.json]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { LearnerModel } from '../../src/engines/health/learner-model.js';
import { defaultHealthConfig } from '../../src/engines/health/config.js';
import { messageSentiment, restoreAccountState, type AccountState } from '../../src/engines/health/account-state.js';
import { scoreAccount } from '../../src/engines/health/health-score.js';
import { SentimentAnalyzer } from '../../src/engines/sentiment/analyzer.js';
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
const cfg = defaultHealthConfig();
const learnerPath = arg('learner', '');
const learner = learnerPath ? (JSON.parse(readFileSync(learnerPath, 'utf8')) as LearnerModel) : undefined;
const analyzer = new SentimentAnalyzer(sentimentConfig.parse(undefined));

let allEarly = true;
let worstFa = 0;
let lastStates: Map<string, AccountState> | undefined;
let lastNow = 0;
console.log(`health bench: ${accounts} accounts, ${days} days, seeds ${seeds.join(',')}${learner ? `, learner ${learner.version} blended at ${cfg.learner.blend}` : ', rules only'}`);
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
  const medLead = r.souring.map((s) => s.leadMs).sort((a, b) => a - b)[r.souring.length >> 1]! / DAY;
  allEarly &&= early === r.souring.length;
  worstFa = Math.max(worstFa, r.falseAlarmRate);
  console.log(
    `seed ${seed}: ${sc.events.length} events (generated in ${genMs.toFixed(0)} ms wall, ${((genCpu.user + genCpu.system) / 1000).toFixed(0)} ms CPU; replayed in ${replayMs.toFixed(0)} ms); ` +
      `souring flagged >= 3 d early ${early}/${r.souring.length} (median lead ${medLead.toFixed(1)} d; still flagged without a break from 3 d before: ${continuous}/${r.souring.length}); false alarms ${(r.falseAlarmRate * 100).toFixed(1)}% ` +
      `(${r.healthyFlagged.length} healthy + ${r.noisyFlagged.length} noisy of ${r.healthyTotal})`,
  );
  const leads = r.souring
    .map((s) => `${s.accountId}(${s.kind[0]}) ${(s.leadMs / DAY).toFixed(1)}d${s.early ? '' : ' LATE'}`)
    .join(', ');
  console.log(`  lead times: ${leads}`);
  lastStates = r.states;
  lastNow = sc.events[sc.events.length - 1]!.occurredAt;
}

// State size, from the last seed's final states.
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
