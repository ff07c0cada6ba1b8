// Global test setup: starts one FerretDB on a loopback port for the whole run and hands its URI
// to the tests (`inject('mongoUri')`); an empty URI means the binary is not built (see mongo.ts).
import type { TestProject } from 'vitest/node';
import { ferretdbBinary, startFerretDb, type FerretDbInstance } from './ferretdb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URI of the FerretDB started for this run, or '' when FerretDB is not available. */
    mongoUri: string;
    /** Why mongoUri is empty. */
    mongoUnavailableReason: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let db: FerretDbInstance | null = null;
  let reason = '';
  if (!ferretdbBinary()) reason = 'FerretDB is not built (run `bash scripts/ferretdb.sh`)';
  else {
    try {
      db = await startFerretDb();
    } catch (err) {
      reason = `FerretDB did not start: ${(err as Error).message}`;
    }
  }
  project.provide('mongoUri', db?.uri ?? '');
  project.provide('mongoUnavailableReason', reason);
  return async () => {
    await db?.destroy();
  };
}
