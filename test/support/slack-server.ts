// A local stand-in for the Slack Web API (the subset Vigil uses), on 127.0.0.1: it keeps channels
// and messages, records every request, and can be scripted to answer 429, 5xx, errors or hang.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  params: Record<string, unknown>;
  token: string | null;
  at: number;
}

export interface StoredMessage {
  ts: string;
  channel: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** What to do with the next request of a method instead of the normal answer. */
export type ScriptedAnswer =
  | { kind: 'http'; status: number; retryAfter?: number }
  | { kind: 'slack-error'; error: string }
  /** Do the work (store the message), then cut the connection: the caller never learns the ts. */
  | { kind: 'process-then-drop' }
  /** Do the work, and answer only once `release` resolves (a daemon dies while waiting). */
  | { kind: 'process-then-hold'; release: Promise<void> };

const JSON_FIELDS = new Set(['blocks', 'metadata', 'attachments']);
const KNOWN_METHODS = ['chat.postMessage', 'conversations.history', 'conversations.replies', 'conversations.list'];

export class SlackTestServer {
  readonly requests: RecordedRequest[] = [];
  readonly channels = new Map<string, { id: string; name: string; messages: StoredMessage[] }>();
  private readonly scripts = new Map<string, ScriptedAnswer[]>();
  private server: Server | null = null;
  private lastTs = 0;
  private channelSeq = 0;
  private readonly sockets = new Set<import('node:net').Socket>();
  /** Called after a request is recorded (tests wait on it). */
  onRequest: ((r: RecordedRequest) => void) | null = null;
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        // a bug in the double must fail the test loudly, not hang the client
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: 'test_server_error', detail: err.message }));
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** The next answers for `method`, in order; once used up, answers are normal again. */
  script(method: string, ...answers: ScriptedAnswer[]): void {
    this.scripts.set(method, [...(this.scripts.get(method) ?? []), ...answers]);
  }

  calls(method: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method);
  }

  /** All messages, in the order they were posted. */
  messages(): StoredMessage[] {
    return [...this.channels.values()].flatMap((c) => c.messages).sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  /** Resolves when a request of `method` has been recorded `count` times in total. */
  waitFor(method: string, count = 1, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => this.calls(method).length >= count;
      if (check()) return resolve();
      const timer = setTimeout(() => {
        this.onRequest = null;
        reject(new Error(`no ${count}x ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.onRequest = () => {
        if (check()) {
          clearTimeout(timer);
          this.onRequest = null;
          resolve();
        }
      };
    });
  }

  private channelFor(ref: string, create: boolean): { id: string; name: string; messages: StoredMessage[] } | null {
    for (const c of this.channels.values()) if (c.id === ref || `#${c.name}` === ref || c.name === ref) return c;
    if (!create) return null;
    this.channelSeq += 1;
    const c = { id: `C${String(this.channelSeq).padStart(8, '0')}`, name: ref.replace(/^#/, ''), messages: [] };
    this.channels.set(c.id, c);
    return c;
  }

  private nextTs(): string {
    // unique and increasing, like Slack's: seconds with a 6-digit sequence part
    const micros = Math.max(Date.now() * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  private async readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    if (type.includes('application/json')) return body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(body)) {
      // the client sends objects and arrays as JSON strings inside the form
      out[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : v;
    }
    return out;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const params = await this.readParams(req);
    const auth = req.headers.authorization;
    const record: RecordedRequest = { method, params, token: auth?.startsWith('Bearer ') ? auth.slice(7) : null, at: Date.now() };
    this.requests.push(record);
    this.onRequest?.(record);

    const scripted = this.scripts.get(method)?.shift();
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (scripted?.kind === 'http') {
      send(scripted.status, { ok: false, error: scripted.status === 429 ? 'ratelimited' : 'server_error' }, scripted.retryAfter !== undefined ? { 'retry-after': String(scripted.retryAfter) } : {});
      return;
    }
    if (scripted?.kind === 'slack-error') return send(200, { ok: false, error: scripted.error });
    if (!record.token) return send(200, { ok: false, error: 'not_authed' });
    if (!KNOWN_METHODS.includes(method)) return send(200, { ok: false, error: 'unknown_method' });

    const answer = this.answer(method, params);
    if (scripted?.kind === 'process-then-drop') {
      req.socket.destroy();
      return;
    }
    if (scripted?.kind === 'process-then-hold') await scripted.release;
    send(200, answer);
  }

  private answer(method: string, p: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'chat.postMessage': {
        const channel = this.channelFor(String(p.channel ?? ''), true);
        if (!p.channel || !channel) return { ok: false, error: 'channel_not_found' };
        if (!p.text && !p.blocks) return { ok: false, error: 'no_text' };
        const threadTs = p.thread_ts ? String(p.thread_ts) : undefined;
        if (threadTs && !channel.messages.some((m) => m.ts === threadTs && !m.thread_ts)) return { ok: false, error: 'thread_not_found' };
        const msg: StoredMessage = {
          ts: this.nextTs(),
          channel: channel.id,
          text: String(p.text ?? ''),
          blocks: Array.isArray(p.blocks) ? p.blocks : [],
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...(p.metadata ? { metadata: p.metadata as StoredMessage['metadata'] } : {}),
        };
        channel.messages.push(msg);
        return { ok: true, channel: channel.id, ts: msg.ts, message: { ...msg, type: 'message' } };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        const channel = this.channelFor(String(p.channel ?? ''), false);
        if (!channel || !/^C/.test(String(p.channel))) return { ok: false, error: 'channel_not_found' };
        const oldest = p.oldest !== undefined ? Number(p.oldest) : 0;
        const withMeta = p.include_all_metadata === true || p.include_all_metadata === 'true';
        let list =
          method === 'conversations.history'
            ? channel.messages.filter((m) => !m.thread_ts).reverse()
            : channel.messages.filter((m) => m.ts === String(p.ts) || m.thread_ts === String(p.ts));
        if (method === 'conversations.replies' && list.length === 0) return { ok: false, error: 'thread_not_found' };
        list = list.filter((m) => Number(m.ts) >= oldest);
        const limit = Number(p.limit ?? 100);
        const start = p.cursor ? Number(String(p.cursor).replace('page_', '')) : 0;
        const page = list.slice(start, start + limit).map((m) => {
          const { metadata, ...rest } = m;
          return withMeta && metadata ? { ...rest, metadata, type: 'message' } : { ...rest, type: 'message' };
        });
        const next = start + limit < list.length ? `page_${start + limit}` : '';
        return { ok: true, messages: page, has_more: next !== '', response_metadata: { next_cursor: next } };
      }
      case 'conversations.list':
        return { ok: true, channels: [...this.channels.values()].map((c) => ({ id: c.id, name: c.name })), response_metadata: { next_cursor: '' } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}
