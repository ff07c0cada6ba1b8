// Small builders for health-engine tests: events at day offsets and a fresh default config.
import type { VigilEvent } from '../../../src/events/types.js';
import { defaultHealthConfig } from '../../../src/engines/health/config.js';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 0, 5);

let n = 0;
export function ev(type: VigilEvent['type'], day: number, extra: Partial<VigilEvent> = {}): VigilEvent {
  return { id: `e${++n}`, type, occurredAt: T0 + Math.round(day * DAY), accountId: 'acct-1', ...extra };
}

export const cfg = () => defaultHealthConfig();
