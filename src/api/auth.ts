// Bearer-token authentication with `read` and `write` scopes. Tokens are compared as SHA-256
// digests with timingSafeEqual against every configured token, so timing reveals nothing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerHookHandler } from 'fastify';
import type { VigilConfig } from '../config/schema.js';
import { HttpError } from './errors.js';

export type Scope = 'read' | 'write';
/** A route's preHandler option: the scope check, or no hook at all. */
export type ScopeCheck = preHandlerHookHandler | preHandlerHookHandler[];

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The preHandler that admits requests whose bearer token has `scope` (401 without a known
     * token, 403 without the scope); none (an empty list) when no token is configured.
     */
    requireScope(scope: Scope): ScopeCheck;
  }
}

interface KnownToken {
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The scopes of a presented token, or null when it matches none. Every known token is compared. */
export function scopesOf(known: readonly KnownToken[], presented: string): ReadonlySet<Scope> | null {
  const d = digest(presented);
  let found: ReadonlySet<Scope> | null = null;
  for (const k of known) if (timingSafeEqual(d, k.digest)) found = k.scopes;
  return found;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export function installAuth(app: FastifyInstance, tokens: VigilConfig['server']['tokens']): void {
  const known: KnownToken[] = tokens.map((t) => ({ digest: digest(t.token), scopes: new Set(t.scopes) }));
  if (known.length === 0) app.log.warn('no API tokens configured (server.tokens / VIGIL_API_TOKENS): the HTTP API is open to anyone who can reach it');
  app.decorate('requireScope', (scope: Scope): ScopeCheck => {
    // an open API runs no hook (fastify then skips the preHandler step of every request)
    if (known.length === 0) return [];
    // a callback hook, not an async one: no promise per request for a check that never waits
    return function checkScope(req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
      done(refusal(known, req.headers.authorization, scope) as FastifyError | undefined);
    };
  });
}

/** Why a request with this Authorization header may not use `scope` (401 or 403), or undefined when it may. */
function refusal(known: readonly KnownToken[], header: string | undefined, scope: Scope): HttpError | undefined {
  const challenge = { 'WWW-Authenticate': 'Bearer realm="vigil"' };
  if (!header) return new HttpError(401, 'unauthorized', 'missing Authorization header; send "Authorization: Bearer <token>"', undefined, challenge);
  const m = BEARER.exec(header);
  if (!m) return new HttpError(401, 'unauthorized', 'Authorization header must be "Bearer <token>"', undefined, challenge);
  const scopes = scopesOf(known, m[1]!);
  if (!scopes) return new HttpError(401, 'unauthorized', 'unknown token', undefined, challenge);
  if (!scopes.has(scope)) return new HttpError(403, 'forbidden', `this token lacks the "${scope}" scope`);
  return undefined;
}
