// Configuration of this module (defaults with their reasons). Composed in src/config/schema.ts.
import { z } from 'zod';

export const errorsConfig = z.strictObject({}).prefault({});
export type ErrorsConfig = z.infer<typeof errorsConfig>;
