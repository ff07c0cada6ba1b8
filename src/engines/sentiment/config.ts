// Configuration of this module (defaults with their reasons). Composed in src/config/schema.ts.
import { z } from 'zod';

export const sentimentConfig = z.strictObject({}).prefault({});
export type SentimentConfig = z.infer<typeof sentimentConfig>;
