/**
 * The tests' HTTP client for the mock applications: a cookie jar (the session cookie a
 * login sets, dropped when the application clears it), forms posted as a browser posts
 * them, in-process (Hono's `app.request`) or over a real socket. Each application's test
 * helpers extend it with their own login and forms.
 */

/** How a request reaches the application. */
export type Fetcher = (path: string, init: RequestInit) => Promise<Response>;

/** An application served in-process (a Hono app). */
export interface InProcessApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/** What a login form takes. */
export interface Credentials {
  username: string;
  password: string;
}

export class CookieClient {
  readonly cookies = new Map<string, string>();
  private readonly fetcher: Fetcher;

  /** @param target - an in-process app, or how to reach one (see {@link CookieClient.http}). */
  constructor(target: InProcessApp | Fetcher) {
    this.fetcher = typeof target === 'function' ? target : async (path, init) => target.request(path, init);
  }

  static inProcess<C extends CookieClient>(this: new (target: InProcessApp | Fetcher) => C, app: InProcessApp): C {
    return new this(app);
  }

  /** Over a real socket; redirects are returned, not followed, as the in-process app returns them. */
  static http<C extends CookieClient>(this: new (target: InProcessApp | Fetcher) => C, baseUrl: string): C {
    return new this((path, init) => fetch(baseUrl + path, { ...init, redirect: 'manual' }));
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await this.fetcher(path, { ...init, headers });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  async text(path: string): Promise<string> {
    return (await this.get(path)).text();
  }

  /** Posts `form` URL-encoded, as a browser posts a form. */
  post(path: string, form: Record<string, string>): Promise<Response> {
    return this.request(path, { method: 'POST', body: new URLSearchParams(form) });
  }

  /** Posts the login form every mock application shares (`identifiant`, `motdepasse`) to `path`. */
  logInAt(path: string, user: Credentials): Promise<Response> {
    return this.post(path, { identifiant: user.username, motdepasse: user.password });
  }

  /** The single-use token (`jeton`) of the form served at `path`. */
  async token(path: string): Promise<string> {
    const res = await this.get(path);
    const token = /name="jeton" value="([^"]+)"/.exec(await res.text())?.[1];
    if (!token) throw new Error(`no form token at ${path} (status ${res.status})`);
    return token;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** Visible text of an HTML page: tags removed, entities decoded, whitespace collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e] ?? '')
    .replace(/[ \t\r\n]+/g, ' ')
    .trim();
}
