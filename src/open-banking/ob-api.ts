import express, { Router } from 'express';
import { fapiHeaders } from './fapi-headers.js';

/** Where the UK Open Banking Account and Transaction API v4.0 is served. */
export const obBasePath = '/open-banking/v4.0/aisp';

/** Body parsing and headers every OB route shares. */
export function obCommon() {
  const router = Router();
  router.use(obBasePath, express.json({ limit: '32kb', type: ['application/json', 'application/*+json'] }));
  router.use(obBasePath, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(obBasePath, fapiHeaders);
  return router;
}
