// Incidents: all of them on one timeline, then the list (open first); and one incident with its
// cluster's rate against the baseline, the timeline of its growth, the affected accounts, samples.
import { apiGet } from '../api-client.js';
import type { IncidentDetail, IncidentItem, ItemList } from '../api-types.js';
import { severityBadge, statusBadge, tierBadge } from '../badges.js';
import { incidentTimeline } from '../charts/incident-timeline.js';
import { fillSeries } from '../charts/series-gaps.js';
import { timeChart } from '../charts/time-chart.js';
import { h, replaceChildren } from '../dom.js';
import { DASH, dateTime, duration, humanize, int } from '../format.js';
import { card, pageHeader, stat } from '../layout.js';
import type { ViewContext } from '../router.js';

/** Incidents fetched for the list (the API's largest page): weeks of history in one table. */
const LIST_LIMIT = 500;
/** Rows on the incidents timeline; the full list is in the table below it. */
const TIMELINE_ROWS = 20;

function clock(items: IncidentItem[]): number {
  return Math.max(0, ...items.map((i) => Math.max(i.updatedAt, i.resolvedAt ?? 0)));
}

function incidentRows(items: IncidentItem[], now: number): HTMLElement {
  if (items.length === 0) return h('div', { class: 'empty good' }, 'No incidents.');
  return h(
    'table',
    { class: 'data incidents-table' },
    h(
      'thead',
      {},
      h('tr', {}, h('th', {}, 'Status'), h('th', {}, 'Severity'), h('th', {}, 'Error'), h('th', { class: 'num' }, 'Accounts'), h('th', { class: 'num' }, 'Peak / baseline'), h('th', {}, 'Opened'), h('th', { class: 'num' }, 'Duration')),
    ),
    h(
      'tbody',
      {},
      ...items.map((i) =>
        h(
          'tr',
          { 'data-incident': i.id },
          h('td', {}, statusBadge(i.status)),
          h('td', {}, severityBadge(i.severity)),
          h('td', { class: 'template-cell' }, h('a', { href: `#/incident/${encodeURIComponent(i.id)}`, class: 'mono' }, i.template)),
          h('td', { class: 'num strong' }, int(i.accountsAffected)),
          h('td', { class: 'num' }, `${int(i.peakCount)} / ${i.baseline.toFixed(1)}`),
          h('td', { class: 'nowrap muted' }, dateTime(i.openedAt)),
          h('td', { class: 'num' }, duration((i.resolvedAt ?? now) - i.openedAt)),
        ),
      ),
    ),
  );
}

export async function incidentsView(ctx: ViewContext): Promise<void> {
  const res = await apiGet<ItemList<IncidentItem>>(`/v1/incidents?limit=${LIST_LIMIT}`);
  if (ctx.signal.aborted) return;
  const now = clock(res.items);
  const items = [...res.items].sort((a, b) => (a.status === b.status ? b.openedAt - a.openedAt : a.status === 'open' ? -1 : 1));
  const open = items.filter((i) => i.status === 'open').length;
  // Every open incident, then the most recent resolved ones, so the bars stay readable.
  const onTimeline = items.slice(0, Math.max(open, TIMELINE_ROWS));
  replaceChildren(
    ctx.root,
    pageHeader('Incidents', `${int(open)} open · ${int(items.length)} listed, newest first · cross-account spikes of one error cluster`),
    card('Timeline', incidentTimeline(onTimeline, now), {
      extra: onTimeline.length < items.length ? h('span', { class: 'muted' }, `open ones and the latest ${int(onTimeline.length - Math.min(open, onTimeline.length))} resolved of ${int(items.length)}`) : null,
    }),
    card('All incidents', incidentRows(items, now), { className: 'flush', id: 'incidents-list' }),
  );
}

/** Accounts listed before "show all": the worst hit, without a page-long table. */
const AFFECTED_SHOWN = 15;

function affectedTable(accounts: IncidentDetail['affectedAccounts']): HTMLElement {
  const sorted = [...accounts].sort((a, b) => b.count - a.count);
  const rows = sorted.map((a, i) =>
    h(
      'tr',
      { hidden: i >= AFFECTED_SHOWN },
      h('td', {}, h('a', { href: `#/account/${encodeURIComponent(a.accountId)}` }, a.name || a.accountId)),
      h('td', {}, tierBadge(a.tier)),
      h('td', { class: 'num' }, int(a.count)),
    ),
  );
  const more =
    sorted.length > AFFECTED_SHOWN
      ? h(
          'button',
          {
            type: 'button',
            class: 'btn small show-all',
            onclick: (e: Event) => {
              for (const r of rows) r.hidden = false;
              (e.currentTarget as HTMLElement).parentElement!.remove();
            },
          },
          `Show all ${int(sorted.length)}`,
        )
      : null;
  return h(
    'div',
    {},
    h('table', { class: 'data' }, h('thead', {}, h('tr', {}, h('th', {}, 'Account'), h('th', {}, 'Tier'), h('th', { class: 'num' }, 'Errors'))), h('tbody', {}, ...rows)),
    more ? h('div', { class: 'table-foot' }, more) : null,
  );
}

export async function incidentView(ctx: ViewContext): Promise<void> {
  const id = ctx.params.id ?? '';
  const inc = await apiGet<IncidentDetail>(`/v1/incidents/${encodeURIComponent(id)}`);
  if (ctx.signal.aborted) return;
  // The latest moment the data speaks of (event time), so replays read the same as live.
  const end = inc.resolvedAt ?? inc.updatedAt;
  const series = fillSeries(inc.series);
  const timeline = inc.timeline.length
    ? h(
        'ol',
        { class: 'events' },
        ...inc.timeline.map((t) =>
          h(
            'li',
            { class: `ev ev-${t.kind}` },
            h('span', { class: 'ev-dot' }),
            h('div', {}, h('strong', {}, humanize(t.kind)), h('span', { class: 'muted' }, ` · ${dateTime(t.at)}`)),
            h('div', { class: 'muted small' }, `${int(t.count)} errors · ${int(t.accounts)} accounts`),
          ),
        ),
      )
    : h('div', { class: 'empty' }, 'No timeline entries.');
  const affected = inc.affectedAccounts.length ? affectedTable(inc.affectedAccounts) : h('div', { class: 'empty' }, 'No accounts recorded.');
  replaceChildren(
    ctx.root,
    pageHeader(h('span', { class: 'mono title-template' }, inc.template), h('span', {}, statusBadge(inc.status), ' ', severityBadge(inc.severity), ' ', h('span', { class: 'muted' }, `cluster ${inc.clusterId}`)), h('a', { class: 'btn', href: '#/incidents' }, '← Incidents')),
    h(
      'div',
      { class: 'stats' },
      stat('Accounts affected', int(inc.accountsAffected), { tone: inc.status === 'open' ? 'bad' : undefined }),
      stat('Peak count', int(inc.peakCount), { hint: 'errors per window' }),
      stat('Baseline', inc.baseline.toFixed(1), { hint: 'expected per window' }),
      stat('Opened', dateTime(inc.openedAt), { compact: true }),
      stat(inc.resolvedAt ? 'Resolved' : 'Open for', inc.resolvedAt ? dateTime(inc.resolvedAt) : duration(end - inc.openedAt), { compact: Boolean(inc.resolvedAt), hint: inc.resolvedAt ? `after ${duration(inc.resolvedAt - inc.openedAt)}` : undefined }),
    ),
    timeChart({
      title: 'Error rate against baseline',
      times: series.map((s) => s.t),
      series: [
        { label: 'Errors', values: series.map((s) => s.count), color: '#d64545', fill: 'rgba(214,69,69,0.10)', stepped: true, format: (v) => v.toFixed(0) },
        { label: 'Baseline', values: series.map((s) => s.baseline), color: '#6b7280', dash: [6, 4], format: (v) => v.toFixed(1) },
      ],
      height: 240,
      signal: ctx.signal,
    }),
    h(
      'div',
      { class: 'grid-3' },
      card('Timeline', timeline, { id: 'incident-timeline' }),
      card('Affected accounts', affected, { className: 'flush', id: 'affected-accounts' }),
      card(
        'Sample messages',
        inc.samples.length ? h('ul', { class: 'samples' }, ...inc.samples.map((s) => h('li', { class: 'mono' }, s))) : h('div', { class: 'empty' }, DASH),
      ),
    ),
  );
}
