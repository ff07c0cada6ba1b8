// The worker thread of event preparation: finds errors and scores customers' messages for events
// the pipeline will apply soon, so that work runs on the second core (see event-preparer.ts).
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { ErrorsConfig } from '../engines/errors/config.js';
import type { SentimentConfig } from '../engines/sentiment/config.js';
import { createSentimentAnalyzer } from '../engines/sentiment/model-file.js';
import { errorsIn } from './event-preparation.js';
import { SeriesDetector } from '../engines/detect/series-detector.js';
import type { DetectConfig } from '../engines/detect/config.js';
import { closeOffloadedBuckets, offloadBuffers, type OffloadBatch } from '../engines/detect/spike-tracker.js';
import { CTL_PASSED, CTL_ANSWERED, WANT_SENTIMENT, WANT_ERRORS, type PrepareRequest, type PrepareAnswer, type ChannelOffer } from './event-preparer.js';

const { errors: errorsCfg, sentiment: sentimentCfg } = workerData as { errors: ErrorsConfig; sentiment: SentimentConfig };
const analyzer = createSentimentAnalyzer(sentimentCfg);

function serve(port: MessagePort, ctl: Int32Array): void {
  port.on('message', (req: PrepareRequest) => {
    let answer: PrepareAnswer;
    // the pipeline already worked these events out itself: not again
    if (req.id <= Atomics.load(ctl, CTL_PASSED)) answer = { id: req.id, skipped: true };
    else {
      const n = req.want.length;
      const sentiment = new Float64Array(n);
      const frustration = new Uint8Array(n);
      const errors: Array<string[] | null> = new Array<string[] | null>(n).fill(null);
      for (let i = 0; i < n; i++) {
        const want = req.want[i]!;
        const text = req.texts[i];
        if (want & WANT_SENTIMENT) {
          const r = analyzer.analyze(text!);
          sentiment[i] = r.score;
          frustration[i] = r.frustration ? 1 : 0;
        }
        if (want & WANT_ERRORS) errors[i] = errorsIn(text, req.errorFields[i], errorsCfg);
      }
      answer = { id: req.id, skipped: false, sentiment, frustration, errors };
    }
    port.postMessage(answer, answer.skipped ? [] : [answer.sentiment.buffer as ArrayBuffer, answer.frustration.buffer as ArrayBuffer]);
    // after the post: once the pipeline sees the count move, the answer is there to receive
    Atomics.add(ctl, CTL_ANSWERED, 1);
  });
  port.on('close', () => port.removeAllListeners());
}

/** Advances each detector of a batch through its empty buckets, as SpikeTracker would, and sends the batch back. */
function serveEmptyBuckets(port: MessagePort, ctl: Int32Array, cfg: DetectConfig): void {
  const det = new SeriesDetector(cfg);
  port.on('message', (batch: OffloadBatch) => {
    closeOffloadedBuckets(batch, det);
    port.postMessage(batch, offloadBuffers(batch));
    Atomics.add(ctl, CTL_ANSWERED, 1);
  });
  port.on('close', () => port.removeAllListeners());
}

parentPort!.on('message', (offer: ChannelOffer) => {
  if (offer.detector) serveEmptyBuckets(offer.port, new Int32Array(offer.ctl), offer.detector);
  else serve(offer.port, new Int32Array(offer.ctl));
});
parentPort!.postMessage('ready');
