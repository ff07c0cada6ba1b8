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
let pendingPrompt: Promise<string> | null = null;

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  for (;;) {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = storedToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401) {
      pendingPrompt ??= askForToken(token !== null).finally(() => (pendingPrompt = null));
      const entered = await pendingPrompt;
      sessionStorage.setItem(TOKEN_KEY, entered);
      continue;
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
