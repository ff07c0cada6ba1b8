// What a test needing the database uses: the run's FerretDB URI, a fresh database name per test
// file, and the rule that such tests skip on a machine without FerretDB but FAIL under CI=true.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

export { startFerretDb, ferretdbBinary, type FerretDbInstance } from './ferretdb.js';

/**
 * The URI of the run's FerretDB, or null when there is none and the tests should skip
 * (`describe.skipIf(!uri)`). Under CI=true a missing database throws: CI never skips these tests.
 */
export function mongoUriOrSkip(): string | null {
  const uri = inject('mongoUri');
  if (uri) return uri;
  const reason = inject('mongoUnavailableReason') || 'no FerretDB';
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`CI=true and the test database is missing: ${reason}`);
  }
  console.warn(`skipping database tests: ${reason}`);
  return null;
}

/** A database name no other test file uses, so files running in parallel do not see each other's data. */
export function uniqueDatabase(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
