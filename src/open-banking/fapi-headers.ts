import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { ObError, obErrorCodes } from './ob-errors.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      /** The app's x-fapi-interaction-id, when it sent one: its correlation id, kept beside our request id. */
      interactionId?: string;
      /** x-fapi-customer-ip-address: the customer is present (no unattended limit). */
      customerIpAddress?: string;
    }
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

const invalid = (header: string, message: string) =>
  new ObError(400, [
    { ErrorCode: obErrorCodes.headerInvalid, Message: `${header}: ${message}`, Path: header },
  ]);

/**
 * The FAPI headers every OB call may carry, checked as FAPI defines them before anything
 * else: x-fapi-interaction-id is an RFC 4122 UUID (echoed back; when absent, ours is sent),
 * and x-fapi-customer-ip-address an IP address. A value that is not what it claims is
 * refused, never taken at its word: "customer present" lifts the unattended daily limit.
 */
export function fapiHeaders(req: Request, res: Response, next: NextFunction) {
  const interactionId = req.get('x-fapi-interaction-id');
  if (interactionId !== undefined) {
    if (!uuid.test(interactionId)) throw invalid('x-fapi-interaction-id', 'must be a UUID (RFC 4122)');
    res.locals.interactionId = interactionId;
  }
  const customerIp = req.get('x-fapi-customer-ip-address');
  if (customerIp !== undefined) {
    if (isIP(customerIp) === 0)
      throw invalid('x-fapi-customer-ip-address', 'must be an IPv4 or IPv6 address');
    res.locals.customerIpAddress = customerIp;
  }
  res.set('x-fapi-interaction-id', interactionId ?? String(req.id));
  next();
}
