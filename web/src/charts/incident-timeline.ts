// Incidents on one time axis: a bar per incident from opening to resolution (or to now), so
// overlaps and recurrences of the same error read at a glance. Plain positioned HTML bars.
import type { IncidentItem } from '../api-types.js';
import { h } from '../dom.js';
import { date, dateTime, duration, int } from '../format.js';

const TICKS = 5;

export function incidentTimeline(items: IncidentItem[], now: number): HTMLElement {
  if (items.length === 0) return h('div', { class: 'empty' }, 'No incidents in this period.');
  const start = Math.min(...items.map((i) => i.openedAt));
  const end = Math.max(now, ...items.map((i) => i.resolvedAt ?? i.updatedAt));
  const span = Math.max(1, end - start);
  const pos = (t: number): number => ((t - start) / span) * 100;
  const axis = h('div', { class: 'tl-axis' });
  for (let i = 0; i <= TICKS; i++) {
    const t = start + (span * i) / TICKS;
    axis.append(h('span', { class: 'tl-tick', style: `left:${((i / TICKS) * 100).toFixed(2)}%` }, span > 3 * 86_400_000 ? date(t) : dateTime(t)));
  }
  const rows = [...items]
    .sort((a, b) => a.openedAt - b.openedAt)
    .map((inc) => {
      const stop = inc.resolvedAt ?? now;
      const left = pos(inc.openedAt);
      const width = Math.max(0.6, pos(stop) - left);
      return h(
        'a',
        { class: 'tl-row', href: `#/incident/${encodeURIComponent(inc.id)}` },
        h('span', { class: 'tl-label mono', title: inc.template }, inc.template),
        h(
          'span',
          { class: 'tl-track' },
          h('span', {
            class: `tl-bar tl-${inc.status}`,
            style: `left:${left.toFixed(2)}%;width:${width.toFixed(2)}%`,
            title: `${inc.status === 'open' ? 'Open' : 'Resolved'} · ${int(inc.accountsAffected)} accounts · ${duration(stop - inc.openedAt)}`,
          }),
        ),
      );
    });
  return h('div', { class: 'timeline' }, ...rows, h('div', { class: 'tl-row tl-axis-row' }, h('span', { class: 'tl-label' }), axis));
}
