import type { Express } from 'express';
import type Provider from 'oidc-provider';
import { servedByAuthorisationServer } from '../../src/oauth/oidc-provider.js';

/** Who a route says it admits, read from its guard middleware. */
export type Guard =
  | { kind: 'anyone' }
  | { kind: 'roles'; roles: string[] }
  | { kind: 'app-token'; token: string }
  | { kind: 'authorisation-server' }
  | { kind: 'static' }
  | { kind: 'none' };

export interface InventoryRoute {
  method: string;
  /** The path pattern as registered, in Express 5 syntax (`/my/apps/:consentId`). */
  path: string;
  /** Who serves it: an Express route, a static file mount, or the authorisation server. */
  source: 'express' | 'static' | 'oidc-provider';
  guard: Guard;
  /** Whether the pages router's CSRF check (`csrfProtection`) runs before it. */
  csrfProtected: boolean;
}

/** `METHOD /path`, the key the matrix table uses. */
export const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

// The internals of the `router` package (Express 5) this walk reads.
interface RouterLayer {
  handle: ((...args: unknown[]) => unknown) & { stack?: unknown; name: string };
  rawPath: string | RegExp | (string | RegExp)[];
  route?: { methods: Record<string, boolean>; stack: RouterLayer[] };
}

/** HEAD is answered by every GET route and OPTIONS by the router itself: neither is a route of its own. */
const implicitMethods = new Set(['HEAD', 'OPTIONS']);

/**
 * Every route of the app, read from its router: routes of the app and of every router mounted
 * with `app.use(router)` or `app.use(path, router)`, at any depth, and static file mounts.
 * Plain middleware (parsers, sessions, guards for a whole prefix) is not a route.
 */
export function expressRoutes(app: Express): InventoryRoute[] {
  const routes: InventoryRoute[] = [];
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, '', false, routes);
  return routes;
}

function walk(stack: RouterLayer[], prefix: string, protectedAbove: boolean, out: InventoryRoute[]) {
  let csrfProtected = protectedAbove;
  for (const layer of stack) {
    if (layer.handle.name === 'csrfProtection') csrfProtected = true;
    for (const raw of [layer.rawPath].flat()) {
      if (typeof raw !== 'string') throw new Error(`a route is registered with a RegExp (${String(raw)})`);
      const path = join(prefix, raw);
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).map((m) => (m === '_all' ? 'ALL' : m.toUpperCase()));
        for (const method of methods.filter((m) => !implicitMethods.has(m))) {
          out.push({ method, path, source: 'express', guard: guardOf(layer.route.stack), csrfProtected });
        }
      } else if (Array.isArray(layer.handle.stack)) {
        walk(layer.handle.stack as RouterLayer[], path, csrfProtected, out);
      } else if (layer.handle.name === 'serveStatic') {
        const file = join(path, '/*file');
        out.push({ method: 'GET', path: file, source: 'static', guard: { kind: 'static' }, csrfProtected });
      }
    }
  }
}

function join(prefix: string, path: string): string {
  const base = prefix.replace(/\/+$/, '');
  if (path === '/' || path === '') return base || '/';
  return `${base}${path}`;
}

function guardOf(stack: RouterLayer[]): Guard {
  for (const { handle } of stack) {
    const tagged = handle as unknown as { roles?: string[]; appToken?: string; name: string };
    if (tagged.roles) return { kind: 'roles', roles: [...tagged.roles] };
    if (tagged.appToken) return { kind: 'app-token', token: tagged.appToken };
    if (tagged.name === 'anyone') return { kind: 'anyone' };
  }
  return { kind: 'none' };
}

/**
 * The routes oidc-provider registers, by the route names of its router (oidc-provider 9,
 * lib/helpers/initialize_app.js) and the methods each answers. `provider.pathFor(name)`
 * finds the path of every route the provider's configuration enabled and throws for the
 * others, so enabling a feature (device flow, registration, logout...) adds its routes here.
 */
const providerRouteNames: Record<string, string[]> = {
  authorization: ['GET', 'POST'],
  resume: ['GET'],
  userinfo: ['GET', 'POST'],
  token: ['POST'],
  jwks: ['GET'],
  openid_credential_issuer: ['GET'],
  credential: ['POST'],
  challenge: ['POST'],
  registration: ['POST'],
  client: ['GET'],
  client_update: ['PUT'],
  client_delete: ['DELETE'],
  revocation: ['POST'],
  introspection: ['POST'],
  end_session_confirm: ['POST'],
  end_session: ['GET', 'POST'],
  end_session_success: ['GET'],
  device_authorization: ['POST'],
  code_verification: ['GET', 'POST'],
  device_resume: ['GET'],
  pushed_authorization_request: ['POST'],
  backchannel_authentication: ['POST'],
  interaction: ['GET'],
  submit: ['POST'],
  abort: ['GET'],
};

/** Discovery is registered twice under one name; the router's name table keeps only the first. */
const discoveryPaths = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

/**
 * The authorisation server's routes that requests can reach: those the provider registered
 * whose path the app hands over to it (`servedByAuthorisationServer`). POST on the
 * authorisation and logout endpoints exists only with `enableHttpPostMethods`; it is listed
 * either way, so the matrix states (and tests) whether it is answered.
 */
export function providerRoutes(provider: Provider): InventoryRoute[] {
  const routes: InventoryRoute[] = [];
  const add = (method: string, path: string) =>
    routes.push({
      method,
      path,
      source: 'oidc-provider',
      guard: { kind: 'authorisation-server' },
      csrfProtected: false,
    });
  for (const [name, methods] of Object.entries(providerRouteNames)) {
    const path = providerPath(provider, name);
    if (path) for (const method of methods) add(method, path);
  }
  for (const path of discoveryPaths) add('GET', path);
  return routes.filter((route) => servedByAuthorisationServer(route.path.replace(/:\w+/g, 'x')));
}

/** The path of a named provider route with its parameters as `:name`, or undefined when it is not registered. */
function providerPath(provider: Provider, name: string): string | undefined {
  const params: Record<string, string> = {};
  for (;;) {
    try {
      const path = provider.pathFor(name, params);
      return path.replace(/%3A(\w+)/g, ':$1');
    } catch (error) {
      // The router names the parameters a path needs one at a time.
      const missing = /^Missing parameters: (\w+)$/.exec((error as Error).message)?.[1];
      if (!missing) return undefined;
      params[missing] = `:${missing}`;
    }
  }
}

/** Every route of the app: Express's, then the authorisation server's not already listed. */
export function routeInventory(app: Express, provider: Provider): InventoryRoute[] {
  const all = [...expressRoutes(app)];
  const seen = new Set(all.map(routeKey));
  for (const route of providerRoutes(provider)) {
    if (!seen.has(routeKey(route))) all.push(route);
    seen.add(routeKey(route));
  }
  return all;
}
