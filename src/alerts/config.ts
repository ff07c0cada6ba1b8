// Configuration of this module (defaults with their reasons). Composed in src/config/schema.ts.
import { z } from 'zod';

export const alertsConfig = z.strictObject({}).prefault({});
export type AlertsConfig = z.infer<typeof alertsConfig>;
