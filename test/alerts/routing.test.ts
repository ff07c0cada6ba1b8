import { describe, expect, it } from 'vitest';
import { inQuietHours, mentionMarkup, quietHoursEnd, route } from '../../src/alerts/routing.js';
import { accountAlert, digestPayload, incidentAlert, testConfig, T0 } from './alert-fixtures.js';

describe('route', () => {
  const cfg = testConfig();

  it('sends incidents to engineering and account alerts, digests and reports to support', () => {
    expect(route(incidentAlert('incident.opened'), cfg, T0)).toEqual({ channel: '#vigil-incidents' });
    expect(route(incidentAlert('incident.resolved'), cfg, T0)?.channel).toBe('#vigil-incidents');
    expect(route(accountAlert({}, { tier: 'growth' }), cfg, T0)).toEqual({ channel: '#vigil-accounts' });
    expect(route({ dedupeKey: 'd', kind: 'digest.outreach', createdAt: T0, payload: digestPayload() }, cfg, T0)).toEqual({ channel: '#vigil-accounts' });
  });

  it('mentions the owner of an enterprise account (default tier override)', () => {
    expect(route(accountAlert(), cfg, T0)).toEqual({ channel: '#vigil-accounts', mention: '<@U024BE7LH>' });
    // no Slack id: nobody to mention
    expect(route(accountAlert({}, { owner: { name: 'Dana' } }), cfg, T0)).toEqual({ channel: '#vigil-accounts' });
  });

  it('applies configured tier overrides: a dedicated channel, extra mentions, incidents by tier', () => {
    const c = testConfig({
      routing: {
        tierOverrides: [
          { tier: 'enterprise', kinds: ['account', 'incident'], channel: '#enterprise-care', mentionOwner: true, mention: '!here' },
          { tier: 'growth', kinds: ['account'], channel: '', mentionOwner: false, mention: 'S0GROWTH1' },
        ],
      },
    });
    expect(route(accountAlert(), c, T0)).toEqual({ channel: '#enterprise-care', mention: '<@U024BE7LH> <!here>' });
    expect(route(incidentAlert('incident.opened', { tier: 'enterprise' }), c, T0)).toEqual({ channel: '#enterprise-care', mention: '<!here>' });
    expect(route(incidentAlert('incident.opened', { tier: 'growth' }), c, T0)).toEqual({ channel: '#vigil-incidents' });
    expect(route(accountAlert({}, { tier: 'growth' }), c, T0)).toEqual({ channel: '#vigil-accounts', mention: '<!subteam^S0GROWTH1>' });
  });

  it('drops incidents below the severity threshold and account alerts outside the alerting bands', () => {
    const c = testConfig({ routing: { minIncidentSeverity: 'sev2' } });
    expect(route(incidentAlert('incident.opened', { severity: 'sev3' }), c, T0)).toBeNull();
    expect(route(incidentAlert('incident.opened', { severity: 'sev2' }), c, T0)).not.toBeNull();
    expect(route(incidentAlert('incident.opened', { severity: 'sev1' }), c, T0)).not.toBeNull();
    expect(route(accountAlert({ band: 'watch' }, { band: 'watch' }), cfg, T0)).toBeNull();
    expect(route(accountAlert({ band: 'critical' }, { band: 'critical' }), cfg, T0)).not.toBeNull();
  });

  it('holds non-critical alerts during quiet hours in the configured time zone', () => {
    const c = testConfig({ quietHours: { enabled: true, timezone: 'Europe/Berlin', start: '22:00', end: '07:30' } });
    const night = Date.UTC(2026, 10, 24, 23, 0); // 00:00 in Berlin (CET)
    const day = Date.UTC(2026, 10, 24, 12, 0);
    expect(route(incidentAlert('incident.opened', { severity: 'sev2' }), c, night)?.hold).toBe(true);
    expect(route(incidentAlert('incident.opened', { severity: 'sev1' }), c, night)?.hold).toBeUndefined();
    expect(route(accountAlert(), c, night)?.hold).toBe(true);
    expect(route(accountAlert({ band: 'critical' }, { band: 'critical' }), c, night)?.hold).toBeUndefined();
    expect(route(incidentAlert('incident.opened', { severity: 'sev2' }), c, day)?.hold).toBeUndefined();
    // quiet hours off (the default): never held
    expect(route(incidentAlert('incident.opened', { severity: 'sev3' }), cfg, night)?.hold).toBeUndefined();
  });
});

describe('quiet hours', () => {
  const q = testConfig({ quietHours: { enabled: true, timezone: 'America/New_York', start: '22:00', end: '08:00' } }).quietHours;

  it('spans midnight in local time', () => {
    expect(inQuietHours(q, Date.UTC(2026, 10, 24, 3, 30))).toBe(true); // 22:30 EST
    expect(inQuietHours(q, Date.UTC(2026, 10, 24, 12, 59))).toBe(true); // 07:59
    expect(inQuietHours(q, Date.UTC(2026, 10, 24, 13, 0))).toBe(false); // 08:00
    expect(inQuietHours(q, Date.UTC(2026, 10, 24, 2, 59))).toBe(false); // 21:59
  });

  it('ends at the local end time, also across a daylight-saving change', () => {
    expect(quietHoursEnd(q, Date.UTC(2026, 10, 24, 3, 30))).toBe(Date.UTC(2026, 10, 24, 13, 0));
    // 2026-11-01: clocks go back at 02:00 EDT; 08:00 EST is 13:00 UTC
    expect(quietHoursEnd(q, Date.UTC(2026, 10, 1, 3, 0))).toBe(Date.UTC(2026, 10, 1, 13, 0));
    const day = Date.UTC(2026, 10, 24, 17, 0);
    expect(quietHoursEnd(q, day)).toBe(day);
  });
});

describe('mentionMarkup', () => {
  it('formats users, user groups and specials', () => {
    expect(mentionMarkup('U024BE7LH')).toBe('<@U024BE7LH>');
    expect(mentionMarkup('@U024BE7LH')).toBe('<@U024BE7LH>');
    expect(mentionMarkup('S0614TZR7')).toBe('<!subteam^S0614TZR7>');
    expect(mentionMarkup('!channel')).toBe('<!channel>');
    expect(mentionMarkup('')).toBe('');
  });
});
