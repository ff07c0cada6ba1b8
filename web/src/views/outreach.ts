// The proactive outreach list: who to contact first and why, with actions that record the status
// and outcome through POST /v1/outreach/:id/outcome and show what the server stored.
import { apiGet, apiPost } from '../api-client.js';
import { OUTREACH_STATUSES, type ItemList, type Overview, type OutreachEntry, type OutreachOutcome, type OutreachStatus } from '../api-types.js';
import { scorePill, statusBadge, tierBadge } from '../badges.js';
import { h, replaceChildren } from '../dom.js';
import { ago, DASH, humanize, int } from '../format.js';
import { card, errorText, pageHeader, toast } from '../layout.js';
import { priorityText } from '../account-table.js';
import { hashLink, type ViewContext } from '../router.js';

interface Action {
  label: string;
  status: Exclude<OutreachStatus, 'new'>;
  outcome?: OutreachOutcome;
  tone?: string;
}

/** Which next steps make sense from each status. */
const ACTIONS: Record<OutreachStatus, Action[]> = {
  new: [
    { label: 'Contacted', status: 'contacted', tone: 'primary' },
    { label: 'Dismiss', status: 'dismissed', outcome: 'false_alarm' },
  ],
  contacted: [
    { label: 'Saved', status: 'resolved', outcome: 'saved', tone: 'good' },
    { label: 'Churned', status: 'resolved', outcome: 'churned', tone: 'bad' },
    { label: 'False alarm', status: 'dismissed', outcome: 'false_alarm' },
  ],
  resolved: [],
  dismissed: [],
};

const OUTCOME_LABEL: Record<OutreachOutcome, string> = { saved: 'Saved', churned: 'Churned', false_alarm: 'False alarm' };

function outcomeText(e: OutreachEntry): string {
  return e.outcome ? OUTCOME_LABEL[e.outcome] ?? humanize(e.outcome) : '';
}

function entryRow(entry: OutreachEntry, now: number, onChange: (e: OutreachEntry) => void): HTMLTableRowElement {
  const tr = h('tr', { 'data-outreach': entry.id, 'data-status': entry.status });
  const render = (e: OutreachEntry, flash: boolean): void => {
    tr.dataset.status = e.status;
    const actions = h('div', { class: 'actions' });
    for (const a of ACTIONS[e.status] ?? []) {
      const btn = h('button', { type: 'button', class: `btn small ${a.tone ?? ''}`.trim(), 'data-action': `${a.status}${a.outcome ? `:${a.outcome}` : ''}` }, a.label);
      btn.addEventListener('click', async () => {
        for (const b of actions.querySelectorAll('button')) b.disabled = true;
        btn.classList.add('busy');
        try {
          const body: { status: string; outcome?: string } = { status: a.status };
          if (a.outcome) body.outcome = a.outcome;
          const updated = await apiPost<OutreachEntry>(`/v1/outreach/${encodeURIComponent(e.id)}/outcome`, body);
          render(updated, true);
          onChange(updated);
          toast(`${updated.name}: ${humanize(updated.status)}${updated.outcome ? ` (${outcomeText(updated)})` : ''}`);
        } catch (err) {
          toast(`Not recorded: ${errorText(err)}`, 'error');
          for (const b of actions.querySelectorAll('button')) b.disabled = false;
          btn.classList.remove('busy');
        }
      });
      actions.append(btn);
    }
    replaceChildren(
      tr,
      h('td', { class: 'num strong' }, priorityText(e.priority)),
      h('td', { class: 'account-cell' }, h('a', { href: `#/account/${encodeURIComponent(e.accountId)}`, class: 'account-link' }, e.name || e.accountId), e.tier ? h('div', { class: 'sub' }, tierBadge(e.tier)) : null),
      h('td', { class: 'num' }, e.score != null && e.band ? scorePill(e.score, e.band) : h('span', { class: 'muted' }, DASH)),
      h('td', { class: 'reasons-cell' }, e.reasons.length ? h('ul', { class: 'reasons compact' }, ...e.reasons.slice(0, 3).map((r) => h('li', {}, r))) : null),
      h('td', { class: 'action-cell' }, e.action),
      h('td', { class: 'nowrap' }, e.owner?.name ?? h('span', { class: 'muted' }, 'Unassigned')),
      h('td', { class: 'status-cell' }, statusBadge(e.status), e.outcome ? h('div', { class: 'muted small outcome' }, outcomeText(e)) : null, h('div', { class: 'muted small' }, `updated ${ago(e.updatedAt, Math.max(now, e.updatedAt))}`)),
      h('td', {}, actions.childElementCount ? actions : h('span', { class: 'muted small' }, 'Closed')),
    );
    if (flash) {
      tr.classList.remove('flash');
      void tr.offsetWidth; // restart the highlight animation
      tr.classList.add('flash');
    }
  };
  render(entry, false);
  return tr;
}

export async function outreachView(ctx: ViewContext): Promise<void> {
  const asked = ctx.query.get('status') ?? 'new';
  const filter: OutreachStatus = (OUTREACH_STATUSES as string[]).includes(asked) ? (asked as OutreachStatus) : 'new';
  // One status per request (the API pages nothing here, but lists stay short per status); the
  // tab counts come from the overview, which counts every status in the store.
  const [res, overview] = await Promise.all([
    apiGet<ItemList<OutreachEntry>>(`/v1/outreach?status=${filter}`),
    apiGet<Overview>('/v1/overview').catch(() => null),
  ]);
  if (ctx.signal.aborted) return;
  const counts = { ...(overview?.outreach ?? { new: 0, contacted: 0, resolved: 0, dismissed: 0 }) };
  counts[filter] = Math.max(counts[filter] ?? 0, res.items.length);
  const now = Math.max(overview?.asOf ?? 0, ...res.items.map((e) => e.updatedAt));
  const tabCount = new Map<OutreachStatus, HTMLElement>();
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': 'Outreach status' },
    ...OUTREACH_STATUSES.map((s) => {
      const count = h('span', { class: 'tab-count' }, int(counts[s] ?? 0));
      tabCount.set(s, count);
      return h('a', { class: `tab ${filter === s ? 'active' : ''}`, href: hashLink('/outreach', { status: s }), 'data-status': s, 'aria-current': filter === s ? 'page' : null }, humanize(s), count);
    }),
  );
  const statusOf = new Map(res.items.map((e) => [e.id, e.status]));
  const onChange = (updated: OutreachEntry): void => {
    const before = statusOf.get(updated.id);
    if (before && before !== updated.status) {
      counts[before] = Math.max(0, (counts[before] ?? 0) - 1);
      counts[updated.status] = (counts[updated.status] ?? 0) + 1;
      statusOf.set(updated.id, updated.status);
      for (const s of OUTREACH_STATUSES) tabCount.get(s)!.textContent = int(counts[s] ?? 0);
    }
  };
  const shown = [...res.items].sort((a, b) => b.priority - a.priority);
  const table = shown.length
    ? h(
        'table',
        { class: 'data outreach-table' },
        h(
          'thead',
          {},
          h('tr', {}, h('th', { class: 'num' }, 'Priority'), h('th', {}, 'Account'), h('th', { class: 'num' }, 'Score'), h('th', {}, 'Why'), h('th', {}, 'Suggested action'), h('th', {}, 'Owner'), h('th', {}, 'Status'), h('th', {}, 'Record')),
        ),
        h('tbody', {}, ...shown.map((e) => entryRow(e, now, onChange))),
      )
    : h('div', { class: 'empty' }, filter === 'new' ? 'Nothing new to follow up.' : `No ${filter} entries.`);
  replaceChildren(
    ctx.root,
    pageHeader('Outreach', 'Accounts to contact before they escalate or churn, highest priority first'),
    tabs,
    card(`${humanize(filter)} entries`, table, { className: 'flush', id: 'outreach-list' }),
  );
}
