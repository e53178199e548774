import type { Request } from 'express';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AppRateLimiter } from '../apps/app-rate-limit.js';
import { requestContext } from '../http/request-context.js';

/**
 * Holds each app to its limit of pushed authorisation requests. The app is known only once
 * the authorisation server has authenticated it, so the request is counted after it has
 * been handled: one over the limit has its pushed request removed at once (its
 * request_uri can never be used) and is answered 429 with Retry-After. Counting
 * unauthenticated requests instead would let anyone use up another app's allowance.
 */
export function limitPushedRequests(rateLimit: AppRateLimiter) {
  return async function limitPushedRequest(ctx: KoaContextWithOIDC, next: () => Promise<void>) {
    await next();
    if (ctx.oidc?.route !== 'pushed_authorization_request' || ctx.status !== 201 || !ctx.oidc.client) return;
    const decision = await rateLimit('par', ctx.oidc.client.clientId, requestContext(ctx.req as Request));
    if (decision.allowed) return;
    const requestUri = (ctx.body as { request_uri?: string } | undefined)?.request_uri ?? '';
    const pushed = await ctx.oidc.provider.PushedAuthorizationRequest.find(requestUri.split(':').at(-1)!);
    await pushed?.destroy();
    ctx.status = 429;
    ctx.set('Retry-After', String(decision.retryAfterSeconds));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      error: 'too_many_requests',
      error_description: 'Too many pushed authorisation requests in the last minute: try again later',
    };
  };
}
