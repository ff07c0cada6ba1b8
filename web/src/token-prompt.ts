// The small dialog shown when the API answers 401 (or 403 on a write): asks for a bearer token.
// The token is kept only for this browser tab (sessionStorage), never in the URL or localStorage.
import { h } from './dom.js';

export type TokenReason = 'missing' | 'rejected' | 'needs-write';

const MESSAGES: Record<TokenReason, string> = {
  missing: 'This Vigil API requires a bearer token. It is kept for this tab only.',
  rejected: 'The token was not accepted. Enter a token with read scope (write scope to record outreach outcomes).',
  'needs-write': 'Recording an outcome needs a token with write scope. The current token can only read.',
};

/** Resolves with the entered token, or null when the user cancels (offered only for writes). */
export function askForToken(reason: TokenReason): Promise<string | null> {
  return new Promise((resolve) => {
    const input = h('input', {
      type: 'password',
      name: 'token',
      autocomplete: 'off',
      placeholder: 'API token',
      'aria-label': 'API token',
      required: '',
    }) as HTMLInputElement;
    const close = (value: string | null): void => {
      backdrop.remove();
      resolve(value);
    };
    const cancel =
      reason === 'needs-write' ? h('button', { type: 'button', class: 'btn', 'data-action': 'cancel', onclick: () => close(null) }, 'Cancel') : null;
    const form = h(
      'form',
      { class: 'token-form' },
      h('h2', {}, reason === 'needs-write' ? 'Write access needed' : 'API token needed'),
      h('p', { class: 'muted' }, MESSAGES[reason]),
      input,
      h('div', { class: 'token-actions' }, cancel, h('button', { type: 'submit', class: 'btn primary' }, 'Continue')),
    );
    const backdrop = h('div', { class: 'modal-backdrop', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'API token' }, form);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = input.value.trim();
      if (value) close(value);
    });
    if (cancel) backdrop.addEventListener('keydown', (e) => e.key === 'Escape' && close(null));
    document.body.append(backdrop);
    input.focus();
  });
}
