// Prepares events (errors found, customers' messages scored) on a worker thread while the pipeline
// applies the ones before them: the engines then take each event's preparation ready-made.
//
// The pipeline never waits for the worker: an event whose answer has not come back yet is prepared
// on this thread instead, and the worker is told to skip what the pipeline passed. Preparation is
// a pure function of the event, so where it ran never changes a result, only how long it took.
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { StoredEvent } from '../events/types.js';
import type { ErrorsConfig } from '../engines/errors/config.js';
import type { SentimentConfig } from '../engines/sentiment/config.js';
import type { SentimentAnalyzer } from '../engines/sentiment/analyzer.js';
import type { DetectConfig } from '../engines/detect/config.js';
import { offloadBuffers, type EmptyBucketOffload, type OffloadBatch } from '../engines/detect/spike-tracker.js';
import { mayReportErrors, prepareEvent, wantsSentiment, NOTHING_PREPARED, type PreparedEvent } from './event-preparation.js';

/** Bits of a request's `want`: what the worker works out for the event. */
export const WANT_SENTIMENT = 1;
export const WANT_ERRORS = 2;

/** Cells of a channel's shared control array: the last request id the pipeline passed; answers posted. */
export const CTL_PASSED = 0;
export const CTL_ANSWERED = 1;
const CTL_CELLS = 2;

/**
 * Events with work to do per request: an answer comes back while the pipeline applies the events
 * before it (a few milliseconds of engine work), and a request the pipeline overtakes wastes little.
 */
const REQUEST_EVENTS = 256;

export interface PrepareRequest {
  id: number;
  want: Uint8Array;
  texts: Array<string | undefined>;
  errorFields: Array<string | undefined>;
}

export type PrepareAnswer =
  | { id: number; skipped: true }
  | { id: number; skipped: false; sentiment: Float64Array; frustration: Uint8Array; errors: Array<string[] | null> };

/**
 * What the pipeline hands a worker to open a channel: its port, and the shared control array.
 * With `detector`, the channel advances spike detectors through empty buckets (see EmptyBucketOffload)
 * instead of preparing events.
 */
export interface ChannelOffer {
  port: MessagePort;
  ctl: SharedArrayBuffer;
  detector?: DetectConfig;
}

interface Request {
  id: number;
  answer: PrepareAnswer | null;
}

/** Where an event's preparation is: its request and its place in it. */
interface Ticket {
  req: Request;
  at: number;
}

/** A preparation worker (one per process and configuration, shared by every pipeline built with it). */
interface PreparationWorker {
  worker: Worker;
  /** False once the worker failed or exited: its channels are never answered again. */
  alive: boolean;
  ready: Promise<boolean>;
}

const workers = new Map<string, PreparationWorker>();

/**
 * The worker: the compiled module beside this one or, running from sources (tests), the TypeScript
 * one, loaded through tsx (a dev dependency) registered in the worker first.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./prepare-worker.js', import.meta.url), { workerData });
  const entry = new URL('./prepare-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

function workerFor(errors: ErrorsConfig, sentiment: SentimentConfig): PreparationWorker {
  const key = JSON.stringify({ errors, sentiment });
  const known = workers.get(key);
  if (known?.alive) return known;
  const worker = startWorker({ errors, sentiment });
  // a pipeline that is done with it never has to close it: it does not keep the process alive
  worker.unref();
  const entry: PreparationWorker = { worker, alive: true, ready: Promise.resolve(false) };
  entry.ready = new Promise<boolean>((resolve) => {
    worker.once('message', () => resolve(true));
    const dead = () => {
      entry.alive = false;
      if (workers.get(key) === entry) workers.delete(key);
      resolve(false);
    };
    // the pipeline goes on preparing events itself
    worker.once('error', dead);
    worker.once('exit', dead);
  });
  workers.set(key, entry);
  return entry;
}

export interface EventPreparerOptions {
  /** Prepare on a worker thread (true) or only on this one. */
  offThread: boolean;
}

export class EventPreparer {
  private readonly worker: PreparationWorker | null;
  /** The preparation channel (null without a worker). */
  private readonly channel: PolledChannel | null = null;
  private readonly tickets = new Map<StoredEvent, Ticket>();
  private readonly requests = new Map<number, Request>();
  private nextId = 1;
  private passed = 0;
  /** Events handed to the worker that it prepared, and that were prepared here after all. */
  readonly counts = { worker: 0, here: 0 };
  private readonly offloadChannels: EmptyBucketChannel[] = [];

  constructor(
    private readonly errorsCfg: ErrorsConfig,
    sentimentCfg: SentimentConfig,
    private readonly analyzer: SentimentAnalyzer,
    opts: EventPreparerOptions,
  ) {
    this.worker = opts.offThread ? workerFor(errorsCfg, sentimentCfg) : null;
    if (this.worker) this.channel = PolledChannel.open(this.worker.worker);
  }

  /**
   * A second channel to the same worker, on which it advances quiet clusters' spike detectors
   * through their empty buckets while the pipeline goes on (null without a worker).
   */
  emptyBucketOffload(detector: DetectConfig): EmptyBucketOffload | null {
    if (!this.worker?.alive) return null;
    const channel = new EmptyBucketChannel(PolledChannel.open(this.worker.worker, detector));
    this.offloadChannels.push(channel);
    return channel;
  }

  /** Resolves true once the worker is up (false when preparation stays on this thread). */
  ready(): Promise<boolean> {
    return this.worker ? this.worker.ready : Promise.resolve(false);
  }

  /** Hands events that will be applied soon to the worker, in about the order they will be. */
  submit(events: readonly StoredEvent[]): void {
    if (!this.channel || !this.worker?.alive) return;
    let want: number[] = [];
    let texts: Array<string | undefined> = [];
    let errorFields: Array<string | undefined> = [];
    let req: Request = { id: this.nextId, answer: null };
    for (const ev of events) {
      const w = (wantsSentiment(ev) ? WANT_SENTIMENT : 0) | (mayReportErrors(ev) ? WANT_ERRORS : 0);
      if (w === 0) continue;
      this.tickets.set(ev, { req, at: want.length });
      want.push(w);
      texts.push(ev.text);
      errorFields.push(ev.error);
      if (want.length === REQUEST_EVENTS) {
        this.send(req, want, texts, errorFields);
        want = [];
        texts = [];
        errorFields = [];
        req = { id: this.nextId, answer: null };
      }
    }
    if (want.length > 0) this.send(req, want, texts, errorFields);
  }

  private send(req: Request, want: number[], texts: Array<string | undefined>, errorFields: Array<string | undefined>): void {
    this.nextId = req.id + 1;
    this.requests.set(req.id, req);
    const msg: PrepareRequest = { id: req.id, want: Uint8Array.from(want), texts, errorFields };
    this.channel!.port.postMessage(msg, [msg.want.buffer as ArrayBuffer]);
  }

  /** The event's preparation: the worker's answer when it is in, else worked out here. */
  take(ev: StoredEvent): PreparedEvent {
    const ticket = this.tickets.get(ev);
    if (ticket === undefined) return prepareEvent(ev, this.errorsCfg, this.analyzer);
    this.tickets.delete(ev);
    const req = ticket.req;
    if (req.answer === null) this.receive();
    const answer = req.answer as PrepareAnswer | null;
    if (answer === null || answer.skipped) {
      // the worker has not got to it: it skips what the pipeline reached, and goes on with the next
      if (req.id > this.passed) {
        this.passed = req.id;
        Atomics.store(this.channel!.ctl, CTL_PASSED, req.id);
      }
      return this.here(ev);
    }
    this.counts.worker++;
    const sentiment = answer.sentiment;
    const at = ticket.at;
    const scored = wantsSentiment(ev);
    const errors = answer.errors[at];
    return {
      errors: errors ?? NOTHING_PREPARED.errors,
      sentiment: scored ? sentiment[at] : undefined,
      frustration: scored ? answer.frustration[at] === 1 : undefined,
    };
  }

  private here(ev: StoredEvent): PreparedEvent {
    this.counts.here++;
    return prepareEvent(ev, this.errorsCfg, this.analyzer);
  }

  /** Takes in the answers the worker has posted since the last look. */
  private receive(): void {
    this.channel?.poll(this.onAnswer);
  }

  /** Files an answer with its request (made once: receive runs for most requests). */
  private readonly onAnswer = (message: unknown): void => {
    const answer = message as PrepareAnswer;
    const req = this.requests.get(answer.id);
    if (!req) return;
    this.requests.delete(answer.id);
    req.answer = answer;
  };

  /** Requests the worker has not answered yet (as far as this side has received). */
  waiting(): number {
    this.receive();
    let n = 0;
    for (const req of this.requests.values()) if (req.answer === null) n++;
    return n;
  }

  /** Closes the channel to the worker (which stays up for other pipelines); preparation goes on here. */
  close(): void {
    for (const channel of this.offloadChannels) channel.close();
    this.channel?.port.close();
    this.tickets.clear();
    this.requests.clear();
  }
}

/**
 * One channel to the worker, its answers taken synchronously (receiveMessageOnPort), never as
 * events: the worker counts its posts in a shared cell, so a look costs nothing while it has not moved.
 */
class PolledChannel {
  private received = 0;

  private constructor(
    readonly port: MessagePort,
    readonly ctl: Int32Array,
  ) {}

  /** Opens a channel on `worker`: for preparing events, or with `detector` for empty spike buckets. */
  static open(worker: Worker, detector?: DetectConfig): PolledChannel {
    const { port1, port2 } = new MessageChannel();
    const ctl = new SharedArrayBuffer(CTL_CELLS * Int32Array.BYTES_PER_ELEMENT);
    const offer: ChannelOffer = detector ? { port: port2, ctl, detector } : { port: port2, ctl };
    worker.postMessage(offer, [port2]);
    return new PolledChannel(port1, new Int32Array(ctl));
  }

  /** Hands each message posted since the last look to `take`. */
  poll(take: (message: unknown) => void): void {
    if (Atomics.load(this.ctl, CTL_ANSWERED) === this.received) return;
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      this.received++;
      take(m.message);
    }
  }
}

/** The pipeline's end of an empty-bucket channel: batches go out whole (transferred), answers are polled. */
class EmptyBucketChannel implements EmptyBucketOffload {
  constructor(private readonly channel: PolledChannel) {}

  send(batch: OffloadBatch): void {
    this.channel.port.postMessage(batch, offloadBuffers(batch));
  }

  receive(): OffloadBatch[] {
    const out: OffloadBatch[] = [];
    this.channel.poll((message) => out.push(message as OffloadBatch));
    return out;
  }

  close(): void {
    this.channel.port.close();
  }
}
