import type { Express } from 'express';
import { expressRoutes } from '../helpers/route-inventory.js';

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

/** Every Express route of the app (see route-inventory.ts), with its CSRF check and roles. */
export function walkRoutes(app: Express): WalkedRoute[] {
  return expressRoutes(app)
    .filter((route) => route.source === 'express')
    .map(({ method, path, csrfProtected, guard }) => ({
      method,
      path,
      csrfProtected,
      roles: guard.kind === 'roles' ? guard.roles : undefined,
    }));
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
