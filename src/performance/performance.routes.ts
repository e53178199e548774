import { Router } from 'express';
import { noStore } from '../http/no-store.js';
import { anyone, requireRole } from '../http/require-role.js';
import { endpointClasses } from './endpoint-class.js';
import { performanceReport } from './performance-report.js';

const classWords: Record<string, string> = {
  authorisation: 'Token and authorisation requests',
  consent: 'Consent API (including revocation)',
  customerPresent: 'Data reads, customer present',
  unattended: 'Data reads, customer not present',
};

/** The developer interface's performance as a page for compliance officers (mounted with the pages). */
export function performancePageRoutes() {
  const router = Router();
  router.get('/compliance/performance', noStore, requireRole('compliance'), async (_req, res) => {
    res.render('compliance/performance.njk', {
      report: await performanceReport(),
      classes: endpointClasses,
      classWords,
    });
  });
  return router;
}

/** The same figures, public and machine-readable at a stable address: counts and latencies only, nothing about anyone. */
export function performanceDocumentRoutes() {
  const router = Router();
  router.get('/performance.json', anyone, async (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60').json(await performanceReport());
  });

  return router;
}
