// Hash routing (#/account/ID, #/incident/ID, #/accounts?band=critical): every view is a function
// that renders into the main element; leaving a view aborts its signal so charts and requests stop.

export interface ViewContext {
  root: HTMLElement;
  params: Record<string, string>;
  query: URLSearchParams;
  signal: AbortSignal;
}

export type View = (ctx: ViewContext) => Promise<void> | void;

interface Route {
  pattern: RegExp;
  keys: string[];
  name: string;
  view: View;
}

export class Router {
  private readonly routes: Route[] = [];
  private current: AbortController | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly onRoute: (name: string) => void,
    private readonly onError: (root: HTMLElement, err: unknown) => void,
  ) {}

  /** `path` like '/account/:id'. */
  add(path: string, name: string, view: View): this {
    const keys: string[] = [];
    const source = path.replace(/:([a-zA-Z]+)/g, (_m, key: string) => {
      keys.push(key);
      return '([^/?]+)';
    });
    this.routes.push({ pattern: new RegExp(`^${source}$`), keys, name, view });
    return this;
  }

  start(): void {
    window.addEventListener('hashchange', () => void this.resolve());
    void this.resolve();
  }

  async resolve(): Promise<void> {
    const raw = location.hash.replace(/^#/, '') || '/';
    const [path = '/', search = ''] = raw.split('?');
    const route = this.routes.find((r) => r.pattern.test(path)) ?? this.routes[0]!;
    const match = route.pattern.exec(path);
    const params: Record<string, string> = {};
    route.keys.forEach((k, i) => (params[k] = decodeURIComponent(match?.[i + 1] ?? '')));
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    this.onRoute(route.name);
    this.root.setAttribute('aria-busy', 'true');
    try {
      await route.view({ root: this.root, params, query: new URLSearchParams(search), signal: controller.signal });
    } catch (err) {
      if (!controller.signal.aborted) this.onError(this.root, err);
    } finally {
      if (!controller.signal.aborted) {
        this.root.removeAttribute('aria-busy');
        // Screen readers and keyboard users start at the new view, not at the old scroll spot.
        this.root.focus({ preventScroll: true });
      }
    }
  }
}

/** Builds a hash link with a query, dropping empty values. */
export function hashLink(path: string, query: Record<string, string | number | null | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}
