// The building blocks every view shares: page header, cards, stat tiles, loading and error states.
// Keeping them here keeps the views about their data, and the look consistent between them.
import { ApiError } from './api-client.js';
import { h, replaceChildren, type Child } from './dom.js';

export function pageHeader(title: Child, subtitle?: Child, ...actions: Child[]): HTMLElement {
  // The tab title follows the view, so history and tab lists read well.
  const text = typeof title === 'string' ? title : title instanceof Node ? title.textContent : null;
  if (text) document.title = `${text} · Vigil`;
  return h(
    'header',
    { class: 'page-header' },
    h('div', {}, h('h1', {}, title), subtitle ? h('div', { class: 'page-sub' }, subtitle) : null),
    actions.length ? h('div', { class: 'page-actions' }, ...actions) : null,
  );
}

export function card(title: Child, body: Child, opts: { extra?: Child; className?: string; id?: string } = {}): HTMLElement {
  return h(
    'section',
    { class: `card ${opts.className ?? ''}`.trim(), id: opts.id },
    h('div', { class: 'card-head' }, h('h2', {}, title), opts.extra ? h('div', { class: 'card-extra' }, opts.extra) : null),
    h('div', { class: 'card-body' }, body),
  );
}

export function stat(label: string, value: Child, opts: { hint?: Child; tone?: string; href?: string; id?: string; compact?: boolean } = {}): HTMLElement {
  const inner: Child[] = [h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, value), opts.hint ? h('div', { class: 'stat-hint' }, opts.hint) : null];
  const cls = ['stat', opts.tone ? `tone-${opts.tone}` : '', opts.compact ? 'compact' : ''].filter(Boolean).join(' ');
  return opts.href ? h('a', { class: `${cls} clickable`, href: opts.href, id: opts.id }, ...inner) : h('div', { class: cls, id: opts.id }, ...inner);
}

export function loading(label = 'Loading…'): HTMLElement {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 404) return `Not found: ${err.message}`;
    if (err.status === 403) return 'Your token does not allow this (write scope needed).';
    return `The API answered ${err.status}: ${err.message}`;
  }
  if (err instanceof TypeError) return 'Cannot reach the Vigil API. Is the daemon running?';
  return err instanceof Error ? err.message : String(err);
}

export function errorPanel(root: HTMLElement, err: unknown): void {
  replaceChildren(
    root,
    h(
      'div',
      { class: 'error-panel', role: 'alert' },
      h('h2', {}, 'Could not load this view'),
      h('p', {}, errorText(err)),
      h('button', { class: 'btn', type: 'button', onclick: () => window.dispatchEvent(new HashChangeEvent('hashchange')) }, 'Retry'),
    ),
  );
}

/** A short-lived message in the corner, announced to screen readers. */
export function toast(message: string, tone: 'ok' | 'error' = 'ok'): void {
  let host = document.getElementById('toasts');
  if (!host) {
    host = h('div', { id: 'toasts', 'aria-live': 'polite' });
    document.body.append(host);
  }
  const el = h('div', { class: `toast toast-${tone}` }, message);
  host.append(el);
  setTimeout(() => el.remove(), TOAST_MS);
}

/** Long enough to read a sentence, short enough not to pile up. */
const TOAST_MS = 4000;
