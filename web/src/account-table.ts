// The ranked accounts table (overview and the accounts view): score, priority and 30-day
// sparklines of score, sentiment and ticket rate per row, with the top reason in words.
import type { HealthItem } from './api-types.js';
import { scorePill, tierBadge } from './badges.js';
import { sparkline } from './charts/sparkline.js';
import { h } from './dom.js';
import { DASH, decimal, int, money } from './format.js';

export function priorityText(p: number | null | undefined): string {
  if (p == null || !Number.isFinite(p)) return DASH;
  // One decimal below 100 keeps small priorities apart without a ragged column.
  return Math.abs(p) < 100 ? p.toFixed(1) : int(p);
}

function row(item: HealthItem, rank: number): HTMLTableRowElement {
  const href = `#/account/${encodeURIComponent(item.accountId)}`;
  const tickets = item.spark.tickets;
  const latestTickets = tickets.length ? tickets[tickets.length - 1] : null;
  return h(
    'tr',
    { 'data-account': item.accountId, class: `row-band-${item.band}` },
    h('td', { class: 'num muted rank' }, rank),
    h(
      'td',
      { class: 'account-cell' },
      h('a', { href, class: 'account-link' }, item.name || item.accountId),
      h('div', { class: 'sub' }, tierBadge(item.tier), h('span', { class: 'muted mono' }, item.accountId)),
    ),
    h('td', { class: 'num' }, money(item.arr)),
    h('td', { class: 'num' }, scorePill(item.score, item.band)),
    h('td', { class: 'num strong' }, priorityText(item.priority)),
    h('td', { class: 'spark-cell' }, sparkline(item.spark.score, { min: 0, max: 100, className: `spark-score band-${item.band}`, title: 'Health score, last 30 days (0–100)' })),
    h('td', { class: 'spark-cell' }, sparkline(item.spark.sentiment, { min: -1, max: 1, zero: 0, className: 'spark-sentiment', title: 'Customer sentiment, last 30 days (−1 to +1)' })),
    h(
      'td',
      { class: 'spark-cell' },
      sparkline(tickets, { min: 0, kind: 'bars', className: 'spark-tickets', title: `Tickets per day, last 30 days (latest ${decimal(latestTickets, 1)})` }),
    ),
    h('td', { class: 'reason-cell' }, item.topReasons[0] ?? h('span', { class: 'muted' }, DASH), item.topReasons.length > 1 ? h('span', { class: 'more muted', title: item.topReasons.slice(1).join('\n') }, ` +${item.topReasons.length - 1}`) : null),
  );
}

export function accountTable(items: HealthItem[], firstRank: number): HTMLElement {
  if (items.length === 0) return h('div', { class: 'empty' }, 'No accounts match.');
  const body = h('tbody');
  // One fragment, one layout: the first view must render 50 rows in a single pass.
  const frag = document.createDocumentFragment();
  items.forEach((item, i) => frag.appendChild(row(item, firstRank + i)));
  body.appendChild(frag);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data accounts-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { class: 'num' }, '#'),
          h('th', {}, 'Account'),
          h('th', { class: 'num' }, 'ARR'),
          h('th', { class: 'num' }, 'Score'),
          h('th', { class: 'num', title: 'Outreach priority: risk weighted by account value' }, 'Priority'),
          h('th', {}, 'Score 30d'),
          h('th', {}, 'Sentiment 30d'),
          h('th', {}, 'Tickets/day 30d'),
          h('th', {}, 'Why'),
        ),
      ),
      body,
    ),
  );
}
