// Chooses the backend that runs the @tensorflow/tfjs models: the native one when the optional
// @tensorflow/tfjs-node package is installed, else WebAssembly, else plain JavaScript.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export type TfBackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** Raised when a backend named in the configuration cannot be loaded. */
export class TfBackendError extends Error {
  readonly code = 'TF_BACKEND_UNAVAILABLE';
  constructor(readonly backend: string, reason: string) {
    super(`models.tfBackend: ${backend} cannot be used: ${reason}`);
    this.name = 'TfBackendError';
  }
}

// A variable specifier keeps TypeScript from requiring the optional package at build time.
const NATIVE_PACKAGE = '@tensorflow/tfjs-node';
const require = createRequire(import.meta.url);

async function loadNative(): Promise<void> {
  // Importing the package registers the 'tensorflow' backend with the shared tfjs engine.
  await import(NATIVE_PACKAGE);
  if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialize');
}

async function loadWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In Node the .wasm binaries are read from the installed package, never fetched.
  wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialize');
}

async function loadCpu(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialize');
}

const LOADERS: Record<Exclude<TfBackendChoice, 'auto'>, () => Promise<void>> = {
  tensorflow: loadNative,
  wasm: loadWasm,
  cpu: loadCpu,
};

/**
 * Makes `choice` the active tfjs backend and returns its name. `auto` tries the native, wasm and
 * cpu backends in that order and reports each one it passed over through `onSkip`.
 */
export async function useTfBackend(
  choice: TfBackendChoice,
  onSkip: (backend: string, reason: string) => void = () => {},
): Promise<string> {
  const order: Array<Exclude<TfBackendChoice, 'auto'>> = choice === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  for (const name of order) {
    try {
      await LOADERS[name]();
      await tf.ready();
      return tf.getBackend();
    } catch (err) {
      const reason = (err as Error).message.split('\n')[0] ?? 'unknown error';
      if (choice !== 'auto') throw new TfBackendError(name, reason);
      onSkip(name, reason);
    }
  }
  throw new TfBackendError('auto', 'no backend could be loaded');
}
