import type { Express } from 'express';

/** A route read from the app's router, with what the web security tests need to know about it. */
export interface WalkedRoute {
  method: string;
  /** The path pattern as registered (`/my/apps/:consentId`). */
  path: string;
  /** Whether it sits behind the pages router's CSRF check (the server-rendered pages and their JSON API). */
  csrfProtected: boolean;
  /** The roles its guard admits, when it has a role guard. */
  roles: string[] | undefined;
}

interface Layer {
  handle: ((...args: unknown[]) => unknown) & { stack?: Layer[]; roles?: string[] };
  rawPath?: string | RegExp | (string | RegExp)[];
  route?: { methods: Record<string, boolean>; stack: Layer[] };
}

/**
 * Every route of the app (Express 5's router: `app.router.stack`, nested routers through
 * `layer.handle.stack`). A route counts as CSRF-protected when the `csrfProtection`
 * middleware runs before it in its router or an enclosing one.
 */
export function walkRoutes(app: Express): WalkedRoute[] {
  const routes: WalkedRoute[] = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '', false, routes);
  return routes;
}

function walk(stack: Layer[], prefix: string, protectedAbove: boolean, out: WalkedRoute[]) {
  let csrfProtected = protectedAbove;
  for (const layer of stack) {
    if (layer.handle.name === 'csrfProtection') csrfProtected = true;
    for (const raw of [layer.rawPath ?? '/'].flat()) {
      if (typeof raw !== 'string') continue;
      const path = raw === '/' || raw === '' ? prefix || '/' : `${prefix}${raw}`;
      if (layer.route) {
        const roles = layer.route.stack.find((l) => l.handle.roles)?.handle.roles;
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all') continue;
          out.push({ method: method.toUpperCase(), path, csrfProtected, roles });
        }
      } else if (Array.isArray(layer.handle.stack)) {
        walk(layer.handle.stack, raw === '/' ? prefix : path, csrfProtected, out);
      }
    }
  }
}

export const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The path with its parameters filled in from `values` (every parameter must have one). */
export function fillPath(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/:(\w+)/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${pattern}`);
    return encodeURIComponent(value);
  });
}
