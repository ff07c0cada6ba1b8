// Small labelled chips for bands, tiers, statuses and severities, coloured from the stylesheet.
// Colour is never the only signal: every chip carries its word too.
import type { Band, OutreachStatus, Tier } from './api-types.js';
import { h } from './dom.js';
import { humanize } from './format.js';

export const BAND_LABEL: Record<Band, string> = {
  critical: 'Critical',
  'at-risk': 'At risk',
  watch: 'Watch',
  healthy: 'Healthy',
};

export function bandBadge(band: Band): HTMLElement {
  return h('span', { class: `badge band-${band}` }, BAND_LABEL[band] ?? humanize(band));
}

export function scorePill(score: number, band: Band): HTMLElement {
  return h('span', { class: `score-pill band-${band}`, title: `${BAND_LABEL[band] ?? band}: score ${Math.round(score)} of 100` }, String(Math.round(score)));
}

export function tierBadge(tier: Tier): HTMLElement {
  return h('span', { class: `tier tier-${tier}` }, humanize(tier));
}

export function statusBadge(status: OutreachStatus | 'open' | 'resolved'): HTMLElement {
  return h('span', { class: `status status-${status}` }, humanize(status));
}

export function severityBadge(severity: string): HTMLElement {
  return h('span', { class: `severity severity-${severity.toLowerCase().replace(/[^a-z0-9]+/g, '-')}` }, humanize(severity));
}
