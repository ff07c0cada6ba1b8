import { describe, expect, it } from 'vitest';
import { alertsConfig } from '../../src/alerts/config.js';

describe('alertsConfig', () => {
  it('has working defaults: console sink (no token), Slack itself, quiet hours off', () => {
    const c = alertsConfig.parse(undefined);
    expect(c.slack).toMatchObject({ token: '', apiUrl: '' });
    expect(c.quietHours.enabled).toBe(false);
    expect(c.routing.accountBands).toEqual(['at-risk', 'critical']);
    expect(c.delivery.staleClaimMs).toBeGreaterThan(c.slack.requestTimeoutMs);
  });

  it('documents every key, and says the token comes from the environment only', () => {
    const slackShape = alertsConfig.unwrap().shape.slack.unwrap().shape;
    expect(slackShape.token.description).toMatch(/SLACK_BOT_TOKEN/);
    expect(slackShape.token.description).toMatch(/ONLY through the environment/);
    const undocumented: string[] = [];
    const walk = (schema: unknown, path: string) => {
      let s = schema as { description?: string; unwrap?: () => unknown; shape?: Record<string, unknown>; _zod?: { def?: { innerType?: unknown } } };
      for (let i = 0; i < 5 && !s.shape && s._zod?.def?.innerType; i++) s = s._zod.def.innerType as typeof s;
      if (s.shape) for (const [k, v] of Object.entries(s.shape)) walk(v, path ? `${path}.${k}` : k);
      else if (!(schema as { description?: string }).description) undocumented.push(path);
    };
    walk(alertsConfig, '');
    expect(undocumented).toEqual([]);
  });

  it('rejects unknown keys and malformed quiet hours', () => {
    expect(alertsConfig.safeParse({ slack: { tokn: 'x' } }).success).toBe(false);
    expect(alertsConfig.safeParse({ quietHours: { start: '25:00' } }).success).toBe(false);
  });
});
