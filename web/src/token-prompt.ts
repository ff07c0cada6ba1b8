// The small dialog shown when the API answers 401: asks for a bearer token and resolves with it.
// The token is kept only for this browser tab (sessionStorage), never in the URL or localStorage.
import { h } from './dom.js';

export function askForToken(previousRejected: boolean): Promise<string> {
  return new Promise((resolve) => {
    const input = h('input', {
      type: 'password',
      name: 'token',
      autocomplete: 'off',
      placeholder: 'API token',
      'aria-label': 'API token',
      required: '',
    }) as HTMLInputElement;
    const form = h(
      'form',
      { class: 'token-form' },
      h('h2', {}, 'API token needed'),
      h(
        'p',
        { class: 'muted' },
        previousRejected
          ? 'The token was not accepted. Enter a token with read scope (write scope to record outreach outcomes).'
          : 'This Vigil API requires a bearer token. It is kept for this tab only.',
      ),
      input,
      h('button', { type: 'submit', class: 'btn primary' }, 'Continue'),
    );
    const backdrop = h('div', { class: 'modal-backdrop', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'API token' }, form);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const value = input.value.trim();
      if (!value) return;
      backdrop.remove();
      resolve(value);
    });
    document.body.append(backdrop);
    input.focus();
  });
}
