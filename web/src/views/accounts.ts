// All accounts, ranked and filtered by band and tier, paged on the server (limit/offset), so
// 10k accounts cost one small page per view. Filters live in the hash so a view can be shared.
import { accountTable } from '../account-table.js';
import { apiGet } from '../api-client.js';
import { BANDS, TIERS, type HealthPage } from '../api-types.js';
import { BAND_LABEL } from '../badges.js';
import { h, replaceChildren } from '../dom.js';
import { humanize, int } from '../format.js';
import { card, loading, pageHeader } from '../layout.js';
import { hashLink, type ViewContext } from '../router.js';

/** Rows per page: a screenful or two, small enough that a page renders in a few milliseconds. */
export const PAGE_SIZE = 50;

const SORTS: Array<[string, string]> = [
  ['-priority', 'Priority (highest first)'],
  ['score', 'Score (lowest first)'],
  ['-score', 'Score (highest first)'],
];

export async function accountsView(ctx: ViewContext): Promise<void> {
  const band = ctx.query.get('band') ?? '';
  const tier = ctx.query.get('tier') ?? '';
  const sort = ctx.query.get('sort') ?? '-priority';
  const page = Math.max(1, Number.parseInt(ctx.query.get('page') ?? '1', 10) || 1);
  const state = { band, tier, sort };
  const link = (change: Partial<typeof state> & { page?: number }): string => hashLink('/accounts', { ...state, page: 1, ...change });

  const chips = h(
    'div',
    { class: 'chips', role: 'group', 'aria-label': 'Band' },
    h('a', { class: `chip ${band ? '' : 'active'}`, href: link({ band: '' }) }, 'All bands'),
    ...BANDS.map((b) => h('a', { class: `chip ${band === b ? 'active' : ''}`, href: link({ band: b }), 'data-band': b }, h('span', { class: `dot band-${b}` }), BAND_LABEL[b])),
  );
  const tierSelect = h(
    'select',
    { 'aria-label': 'Tier', onchange: (e: Event) => (location.hash = link({ tier: (e.target as HTMLSelectElement).value })) },
    h('option', { value: '' }, 'All tiers'),
    ...TIERS.map((t) => h('option', { value: t, selected: tier === t }, humanize(t))),
  );
  const sortSelect = h(
    'select',
    { 'aria-label': 'Sort', onchange: (e: Event) => (location.hash = link({ sort: (e.target as HTMLSelectElement).value })) },
    ...SORTS.map(([v, label]) => h('option', { value: v, selected: sort === v }, label)),
  );
  const body = h('div', { id: 'accounts-list' }, loading());
  const pager = h('div', { class: 'pager' });
  replaceChildren(
    ctx.root,
    pageHeader('Accounts', 'Ranked by outreach priority unless sorted otherwise'),
    h('div', { class: 'toolbar' }, chips, h('div', { class: 'toolbar-right' }, tierSelect, sortSelect)),
    card(band ? `${BAND_LABEL[band as keyof typeof BAND_LABEL] ?? band} accounts` : 'All accounts', body, { extra: pager, className: 'flush' }),
  );

  const offset = (page - 1) * PAGE_SIZE;
  const q = new URLSearchParams({ sort, limit: String(PAGE_SIZE), offset: String(offset) });
  if (band) q.set('band', band);
  if (tier) q.set('tier', tier);
  const res = await apiGet<HealthPage>(`/v1/health?${q.toString()}`);
  if (ctx.signal.aborted) return;
  replaceChildren(body, accountTable(res.items, offset + 1));
  const last = Math.max(1, Math.ceil(res.total / PAGE_SIZE));
  const from = res.total ? offset + 1 : 0;
  const to = Math.min(res.total, offset + res.items.length);
  replaceChildren(
    pager,
    h('span', { class: 'muted pager-range' }, `${int(from)}–${int(to)} of ${int(res.total)}`),
    page > 1 ? h('a', { class: 'btn small', href: link({ ...state, page: page - 1 }), rel: 'prev' }, '← Prev') : h('span', { class: 'btn small disabled' }, '← Prev'),
    h('span', { class: 'muted' }, `Page ${int(page)} of ${int(last)}`),
    page < last ? h('a', { class: 'btn small', href: link({ ...state, page: page + 1 }), rel: 'next' }, 'Next →') : h('span', { class: 'btn small disabled' }, 'Next →'),
  );
}
