import type { NextFunction, Request, Response } from 'express';

declare module 'express-session' {
  interface SessionData {
    flash?: { kind: 'success' | 'error'; message: string };
  }
}

/** Post/Redirect/Get: a message set before a redirect is shown once on the next page. */
export function flash(req: Request, kind: 'success' | 'error', message: string) {
  req.session.flash = { kind, message };
}

export function exposeFlash(req: Request, res: Response, next: NextFunction) {
  if (req.session?.flash) {
    res.locals.flash = req.session.flash;
    delete req.session.flash;
  }
  next();
}
