import type { NextFunction, Request, Response } from 'express';

/** Pages that show financial data must not be kept by browsers or shared caches. */
export function noStore(_req: Request, res: Response, next: NextFunction) {
  res.set('Cache-Control', 'no-store');
  next();
}
