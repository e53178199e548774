import type { NextFunction, Request, Response } from 'express';
import { defaultTimeZone } from './time-words.js';

/** The signed-in person and their time zone, for every page template (the layout's menu, dates). */
export function exposeCurrentUser(req: Request, res: Response, next: NextFunction) {
  res.locals.currentUser = req.user;
  res.locals.timeZone = timeZoneOf(req);
  next();
}

export function timeZoneOf(req: Request): string {
  return req.user?.timeZone ?? defaultTimeZone;
}
