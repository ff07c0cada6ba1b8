import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { TfBackendError, useTfBackend } from '../../src/models/tf-backend.js';
import { trainLearner, type TrainSample } from '../../src/engines/health/learner.js';
import { cfg } from '../engines/health/helpers.js';

const nativeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

/** Two informative features out of four, with a little label noise. */
function samples(n: number): TrainSample[] {
  let x = 12345;
  const r = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 4294967296);
  return Array.from({ length: n }, () => {
    const f = [r(), r(), r(), r()].map((v) => Math.round(v * 100) / 100);
    return { features: f, label: (f[0]! + f[1]! + (r() - 0.5) * 0.2 > 1 ? 1 : 0) as 0 | 1 };
  });
}

describe('tfjs backend choice', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('auto takes the native backend when installed, else WebAssembly, and says what it passed over', async () => {
    const skipped: string[] = [];
    const name = await useTfBackend('auto', (b) => skipped.push(b));
    expect(name).toBe(nativeInstalled ? 'tensorflow' : 'wasm');
    expect(skipped).toEqual(nativeInstalled ? [] : ['tensorflow']);
    expect(tf.getBackend()).toBe(name);
  });

  it('a named backend that cannot load is an error naming the key', async () => {
    if (nativeInstalled) {
      await expect(useTfBackend('tensorflow')).resolves.toBe('tensorflow');
      return;
    }
    const err = await useTfBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TfBackendError);
    expect((err as Error).message).toMatch(/^models\.tfBackend: tensorflow cannot be used: /);
  });

  it('the learner trains to the same model on WebAssembly as on plain JavaScript', async () => {
    const c = cfg();
    const data = samples(400);
    expect(await useTfBackend('cpu')).toBe('cpu');
    const onCpu = await trainLearner(data, c, 3);
    expect(await useTfBackend('wasm')).toBe('wasm');
    const onWasm = await trainLearner(data, c, 3);
    expect(onWasm.metrics.auc).toBeGreaterThan(0.9);
    expect(Math.abs(onWasm.metrics.auc - onCpu.metrics.auc)).toBeLessThan(0.01);
    onWasm.model.weights.forEach((w, i) => expect(w).toBeCloseTo(onCpu.model.weights[i]!, 2));
  });
});
