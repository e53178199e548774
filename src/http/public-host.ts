import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.js';

export class MisdirectedRequestError extends AppError {
  constructor(host: string) {
    super(421, 'misdirected_request', `This server answers only at ${host}`);
  }
}

const loopbackName = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const hostnameOf = (host: string) => host.replace(/:\d+$/, '').toLowerCase();

/**
 * Refuses a request addressed to any host but PUBLIC_URL's, in `Host` or in a proxy's
 * `X-Forwarded-Host`: the authorisation server builds the URLs it publishes (discovery,
 * endpoints, keys) from the request, so a forged host must never reach it or a cache in
 * front of it. When PUBLIC_URL is on this machine (development), the machine's other
 * loopback names are accepted too; the URLs published are PUBLIC_URL's all the same.
 */
export function requirePublicHost(publicUrl: string) {
  const expected = new URL(publicUrl);
  const acceptsLoopback = loopbackName.test(expected.hostname);
  const allowed = (host: string) =>
    host.toLowerCase() === expected.host || (acceptsLoopback && loopbackName.test(hostnameOf(host)));
  return function publicHostOnly(req: Request, _res: Response, next: NextFunction) {
    const forwarded = [req.headers['x-forwarded-host'] ?? []].flat().flatMap((value) => value.split(','));
    const hosts = [req.headers.host ?? '', ...forwarded].map((host) => host.trim());
    if (!hosts.every(allowed)) throw new MisdirectedRequestError(expected.host);
    next();
  };
}

/**
 * The request as the authorisation server must see it: addressed to PUBLIC_URL, whatever
 * host, scheme or proxy headers it came with, so every URL it builds is PUBLIC_URL's.
 * (The provider reads X-Forwarded-Host and -Proto, which are set here, never passed through.)
 */
export function addressedToPublicUrl(req: IncomingMessage, publicUrl: string): IncomingMessage {
  const { host, protocol } = new URL(publicUrl);
  req.headers.host = host;
  req.headers['x-forwarded-host'] = host;
  req.headers['x-forwarded-proto'] = protocol.slice(0, -1);
  return req;
}
