import { Router } from 'express';
import { complianceOperations } from '../compliance/compliance.openapi.js';
import { consentOperations } from '../consents/consent.openapi.js';
import { dataApiOperations } from '../data-api/data-api.openapi.js';
import { anyone } from '../http/require-role.js';
import { signingKeyOperations } from '../oauth/signing-keys.routes.js';
import { buildOpenApiDocument } from './openapi.js';

export function allOperations() {
  return [...consentOperations, ...dataApiOperations, ...complianceOperations, ...signingKeyOperations];
}

export function openApiRoutes(publicUrl: string) {
  const router = Router();
  const document = buildOpenApiDocument(publicUrl, allOperations());
  router.get('/openapi.json', anyone, (_req, res) => res.json(document));
  return router;
}
