// Configuration of the detectors (defaults with their reasons). Composed in src/config/schema.ts.
import { z } from 'zod';

export const detectConfig = z.strictObject({}).prefault({});
export type DetectConfig = z.infer<typeof detectConfig>;
export const spikesConfig = z.strictObject({}).prefault({});
export type SpikesConfig = z.infer<typeof spikesConfig>;
