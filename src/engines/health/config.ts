// Configuration of this module (defaults with their reasons). Composed in src/config/schema.ts.
import { z } from 'zod';

export const healthConfig = z.strictObject({}).prefault({});
export type HealthConfig = z.infer<typeof healthConfig>;
