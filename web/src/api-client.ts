// Fetches from the Vigil HTTP API with the bearer token the user gave (kept in sessionStorage).
// A 401 opens the token prompt and retries with the new token; other failures become ApiError.
import { askForToken } from './token-prompt.js';

const TOKEN_KEY = 'vigil.apiToken';

/** A failed API call: the HTTP status and the server's own message, for the user to read. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: string; error?: string };
    return body.message ?? body.error ?? res.statusText;
  } catch {
    return res.statusText || `HTTP ${res.status}`;
  }
}

// Prompts that arrive while one is open share it, so parallel requests ask only once.
let pendingPrompt: Promise<string | null> | null = null;

function prompt(reason: Parameters<typeof askForToken>[0]): Promise<string | null> {
  pendingPrompt ??= askForToken(reason).finally(() => (pendingPrompt = null));
  return pendingPrompt;
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  for (;;) {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = storedToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    // Without a valid token nothing works, so the prompt stays until one is given.
    if (res.status === 401) {
      const entered = await prompt(token === null ? 'missing' : 'rejected');
      if (entered) sessionStorage.setItem(TOKEN_KEY, entered);
      continue;
    }
    // A read-only token on a write: offer to switch tokens, or give up on this action.
    if (res.status === 403 && method === 'POST') {
      const entered = await prompt('needs-write');
      if (entered) {
        sessionStorage.setItem(TOKEN_KEY, entered);
        continue;
      }
    }
    if (!res.ok) throw new ApiError(res.status, await errorMessage(res));
    return (await res.json()) as T;
  }
}

export function apiGet<T>(path: string): Promise<T> {
  return request<T>('GET', path);
}

export function apiPost<T>(path: string, body: unknown): Promise<T> {
  return request<T>('POST', path, body);
}
