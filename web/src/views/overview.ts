// The first view: accounts per band, score distribution, open incidents, outreach counts,
// escalation figures, and the first page of the ranked at-risk list, loaded in parallel.
import { accountTable } from '../account-table.js';
import { apiGet } from '../api-client.js';
import { BANDS, type HealthPage, type IncidentItem, type ItemList, type Overview } from '../api-types.js';
import { BAND_LABEL, severityBadge } from '../badges.js';
import { scoreHistogram } from '../charts/histogram.js';
import { h, replaceChildren } from '../dom.js';
import { ago, dateTime, duration, int, percent, plural } from '../format.js';
import { card, errorText, loading, pageHeader, stat } from '../layout.js';
import { hashLink, type ViewContext } from '../router.js';

/** Rows of the ranked list on the overview; the accounts view pages through the rest. */
const OVERVIEW_ROWS = 25;
/** Open incidents listed on the overview (most accounts first); the incidents view has them all. */
const OPEN_INCIDENTS_SHOWN = 5;
/** How often the open overview refetches: figures move as events arrive, and a minute costs the API little. */
const REFRESH_MS = 60_000;
/** The bands the overview's at-risk list draws from, merged by outreach priority. */
const AT_RISK_BANDS = ['critical', 'at-risk'] as const;

function bandBar(byBand: Overview['accounts']['byBand'], total: number): HTMLElement {
  const segs = BANDS.map((band) => {
    const n = byBand[band] ?? 0;
    return n ? h('a', { class: `seg band-${band}`, href: hashLink('/accounts', { band }), style: `flex-grow:${n}`, title: `${BAND_LABEL[band]}: ${int(n)}` }) : null;
  });
  const legend = BANDS.map((band) =>
    h(
      'a',
      { class: 'legend-item', href: hashLink('/accounts', { band }), 'data-band': band },
      h('span', { class: `dot band-${band}` }),
      h('span', { class: 'legend-label' }, BAND_LABEL[band]),
      h('span', { class: 'legend-value' }, int(byBand[band] ?? 0)),
      h('span', { class: 'legend-pct muted' }, total ? percent((byBand[band] ?? 0) / total) : ''),
    ),
  );
  return h('div', { class: 'band-summary' }, h('div', { class: 'band-bar' }, ...segs), h('div', { class: 'legend' }, ...legend));
}

function renderStats(el: HTMLElement, o: Overview): void {
  const e = o.escalation;
  replaceChildren(
    el,
    stat('Accounts', int(o.accounts.total), { hint: o.asOf > 0 ? `as of ${dateTime(o.asOf)}` : 'no events processed yet', href: '#/accounts' }),
    stat('Need attention', int((o.accounts.byBand.critical ?? 0) + (o.accounts.byBand['at-risk'] ?? 0)), {
      hint: `${int(o.accounts.byBand.critical ?? 0)} critical · ${int(o.accounts.byBand['at-risk'] ?? 0)} at risk`,
      tone: (o.accounts.byBand.critical ?? 0) > 0 ? 'bad' : undefined,
      href: hashLink('/accounts', { band: 'critical' }),
    }),
    stat('Open incidents', int(o.incidents.open), { hint: `${int(o.incidents.total)} in all`, tone: o.incidents.open > 0 ? 'bad' : 'good', href: '#/incidents', id: 'stat-incidents' }),
    stat('Outreach to do', int(o.outreach.new), {
      hint: `${int(o.outreach.contacted)} contacted · ${int(o.outreach.resolved)} resolved`,
      tone: o.outreach.new > 0 ? 'warn' : undefined,
      href: '#/outreach',
      id: 'stat-outreach',
    }),
    stat('Escalation rate', percent(e?.escalationRate), { hint: e ? `AI resolves ${percent(e.aiResolutionRate)} · ${plural(e.tickets, 'ticket')}` : 'no tickets yet', href: '#/escalations' }),
    stat('Time to human', duration(e?.medianTimeToHumanMs), { hint: `median · CSAT at handoff ${e?.csatAtHandoff == null ? '–' : e.csatAtHandoff.toFixed(2)}`, href: '#/escalations' }),
  );
  el.dataset.ready = 'true';
}

function openIncidentList(items: IncidentItem[], now: number): HTMLElement {
  if (items.length === 0) return h('div', { class: 'empty good' }, 'No open incidents.');
  const shown = [...items].sort((a, b) => b.accountsAffected - a.accountsAffected).slice(0, OPEN_INCIDENTS_SHOWN);
  const list = h(
    'ul',
    { class: 'incident-list' },
    ...shown.map((inc) =>
      h(
        'li',
        {},
        h(
          'a',
          { href: `#/incident/${encodeURIComponent(inc.id)}`, class: 'incident-link' },
          h('div', { class: 'incident-template mono' }, inc.template),
          h(
            'div',
            { class: 'incident-meta' },
            severityBadge(inc.severity),
            h('span', {}, plural(inc.accountsAffected, 'account')),
            h('span', { class: 'muted' }, `peak ${int(inc.peakCount)} vs baseline ${inc.baseline.toFixed(1)}`),
            h('span', { class: 'muted' }, `opened ${ago(inc.openedAt, now)}`),
          ),
        ),
      ),
    ),
  );
  const more = items.length - shown.length;
  return more > 0 ? h('div', {}, list, h('a', { class: 'more-link', href: '#/incidents' }, `${plural(more, 'more open incident')} →`)) : list;
}

export async function overviewView(ctx: ViewContext): Promise<void> {
  const stats = h('div', { class: 'stats', id: 'overview-stats' }, loading());
  const bands = h('div', {}, loading());
  const hist = h('div', {}, loading());
  const incidents = h('div', { id: 'open-incidents' }, loading());
  const atRisk = h('div', { id: 'at-risk' }, loading());
  const atRiskExtra = h('span', {}, h('a', { href: hashLink('/accounts', { sort: '-priority' }) }, 'All accounts →'));
  replaceChildren(
    ctx.root,
    pageHeader('Overview', 'Account health, incidents and outreach across all accounts'),
    stats,
    h('div', { class: 'grid-3' }, card('Accounts by band', bands), card('Score distribution', hist, { extra: h('span', { class: 'muted' }, 'score 0 → 100') }), card('Open incidents', incidents, { extra: h('a', { href: '#/incidents' }, 'All incidents →') })),
    card('At-risk accounts, by outreach priority', atRisk, { extra: atRiskExtra, className: 'flush' }),
  );

  const fail = (el: HTMLElement) => (err: unknown) => {
    if (!ctx.signal.aborted) replaceChildren(el, h('div', { class: 'error-inline', role: 'alert' }, errorText(err)));
  };
  const atRiskCount = h('span', { class: 'muted' });
  atRiskExtra.prepend(atRiskCount);

  // Fetches everything and renders in place; run once now and again while the view stays open.
  async function load(): Promise<void> {
    const overview = apiGet<Overview>('/v1/overview').then(
      (o) => {
        if (ctx.signal.aborted) return o;
        renderStats(stats, o);
        replaceChildren(bands, bandBar(o.accounts.byBand, o.accounts.total));
        replaceChildren(hist, scoreHistogram(o.scoreHistogram));
        return o;
      },
      (err: unknown) => {
        for (const el of [stats, bands, hist]) fail(el)(err);
        return undefined;
      },
    );
    // One small page per band (the API filters one band at a time), merged: still one round trip.
    const list = Promise.all(AT_RISK_BANDS.map((band) => apiGet<HealthPage>(`/v1/health?band=${band}&sort=-priority&limit=${OVERVIEW_ROWS}&offset=0`))).then((pages) => {
      if (ctx.signal.aborted) return;
      const items = pages
        .flatMap((p) => p.items)
        .sort((a, b) => b.priority - a.priority)
        .slice(0, OVERVIEW_ROWS);
      const total = pages.reduce((n, p) => n + p.total, 0);
      replaceChildren(
        atRisk,
        items.length ? accountTable(items, 1) : h('div', { class: 'empty good' }, 'No account is at risk or critical.'),
        total > items.length
          ? h('div', { class: 'table-foot' }, h('a', { href: hashLink('/accounts', { band: 'critical' }) }, `${int(pages[0]!.total)} critical`), ' · ', h('a', { href: hashLink('/accounts', { band: 'at-risk' }) }, `${int(pages[1]!.total)} at risk`), ` · showing the top ${int(items.length)}`)
          : null,
      );
      atRiskCount.textContent = `${plural(total, 'account')} · `;
      atRisk.dataset.ready = 'true';
    }, fail(atRisk));
    const open = apiGet<ItemList<IncidentItem>>('/v1/incidents?status=open').then(
      async (res) => {
        const o = await overview;
        if (ctx.signal.aborted) return;
        const now = o?.asOf ?? Math.max(0, ...res.items.map((i) => i.updatedAt));
        replaceChildren(incidents, openIncidentList(res.items, now));
      },
      fail(incidents),
    );
    await Promise.all([overview, list, open]);
  }

  await load();
  if (ctx.signal.aborted) return;
  markFirstView();
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible' && !document.querySelector('.modal-backdrop')) void load();
  }, REFRESH_MS);
  ctx.signal.addEventListener('abort', () => clearInterval(timer));
}

let firstViewMarked = false;

/**
 * Marks (once per page load) when the overview figures and the first page of the ranked list are on
 * screen: after the next frame has painted. The dashboard bench reads this mark.
 */
function markFirstView(): void {
  if (firstViewMarked) return;
  firstViewMarked = true;
  requestAnimationFrame(() => setTimeout(() => performance.mark('vigil:first-view'), 0));
}
