// Trains the health learner on outcome labels drawn from generated scenarios, gates it against the
// current model on the same held-out split, and writes models/health/<version>.json with metrics.
// Run: npx tsc -p tsconfig.json && node dist/bench/health/train-learner.js [--seeds 101,102,103] [--out models/health]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { messageSentiment } from '../../src/engines/health/account-state.js';
import { defaultHealthConfig } from '../../src/engines/health/config.js';
import { shouldDeploy, trainLearner, type TrainSample } from '../../src/engines/health/learner.js';
import type { LearnerModel } from '../../src/engines/health/learner-model.js';
import { labelOfOutcome } from '../../src/engines/health/outreach.js';
import { createSentimentAnalyzer } from '../../src/engines/sentiment/model-file.js';
import { sentimentConfig } from '../../src/engines/sentiment/config.js';
import { generateScenario } from '../../src/scenario/generate.js';
import { replayScenario } from '../../src/scenario/replay.js';

const DAY = 86_400_000;
/** An escalation-outcome sample says "did this account churn or escalate within a week of this state". */
const HORIZON_MS = 7 * DAY;
/** Every n-th check of a quiet account becomes a negative sample, so positives are not swamped. */
const NEGATIVE_EVERY = 40;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

const seeds = arg('seeds', '101,102,103').split(',').map(Number);
const outDir = arg('out', 'models/health');
const cfg = defaultHealthConfig();
const analyzer = createSentimentAnalyzer(sentimentConfig.parse(undefined));
const samples: TrainSample[] = [];
let outreachLabels = 0;

for (const seed of seeds) {
  const sc = generateScenario({ seed, accounts: 400, days: 42, startMs: Date.UTC(2026, 9, 5) });
  const due = new Map(sc.truth.souring.map((s) => [s.accountId, s.eventAt]));
  const opened = new Set<string>();
  let k = 0;
  replayScenario(sc, cfg, (t) => {
    const a = analyzer.analyze(t);
    return messageSentiment(a.score, a.frustration, cfg);
  }, {
    onCheck(accountId, at, features, band) {
      const eventAt = due.get(accountId);
      // Outreach outcomes: the first time an account is flagged, someone calls; souring accounts
      // turn out saved or churned (label 1), the others are false alarms (label 0).
      if ((band === 'at-risk' || band === 'critical') && !opened.has(accountId)) {
        opened.add(accountId);
        samples.push({ features, label: labelOfOutcome(eventAt !== undefined ? 'churned' : 'false_alarm') });
        outreachLabels++;
        return;
      }
      // Escalation outcomes: states a week or less before the event are positives; a thinned
      // sample of every other state is negative.
      if (eventAt !== undefined && at < eventAt && eventAt - at <= HORIZON_MS) samples.push({ features, label: 1 });
      else if (eventAt === undefined && ++k % NEGATIVE_EVERY === 0) samples.push({ features, label: 0 });
    },
  });
}

const currentPath = join(outDir, 'current.json');
const current = existsSync(currentPath) ? (JSON.parse(readFileSync(currentPath, 'utf8')) as LearnerModel) : undefined;
const version = `hl-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
const trained = await trainLearner(samples, cfg, seeds[0]!, { version, ...(current ? { current } : {}) });
const decision = shouldDeploy(trained.currentMetrics, trained.metrics, cfg.learner);
mkdirSync(outDir, { recursive: true });
const record = { ...trained.model, training: { seeds, samples: samples.length, positives: samples.filter((s) => s.label === 1).length, outreachLabels }, decision };
writeFileSync(join(outDir, `${version}.json`), JSON.stringify(record, null, 2) + '\n');
if (decision.deploy) writeFileSync(currentPath, JSON.stringify(record, null, 2) + '\n');
console.log(`samples ${samples.length} (${record.training.positives} positive, ${outreachLabels} from outreach outcomes)`);
console.log(`candidate ${version}: held-out AUC ${trained.metrics.auc}, Brier ${trained.metrics.brier}, n ${trained.metrics.n}`);
if (trained.currentMetrics) console.log(`current ${current!.version} on the same split: AUC ${trained.currentMetrics.auc}, Brier ${trained.currentMetrics.brier}`);
console.log(`calibration: ${trained.metrics.calibration.map((b) => `[${b.bin}] p=${b.predicted} o=${b.observed} n=${b.n}`).join(' ')}`);
console.log(`decision: ${decision.deploy ? 'deploy' : 'keep current'} (${decision.reason}); wrote ${join(outDir, `${version}.json`)}`);
