import { errorsWithinFields, showFormAgain } from '../http/form-errors.js';
import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { ConflictError } from '../errors.js';
import { flash } from '../http/flash.js';
import { noStore } from '../http/no-store.js';
import { requestContext } from '../http/request-context.js';
import { requireRole } from '../http/require-role.js';
import { parse } from '../http/validate.js';
import { previewRevokeAll, revokeAll } from './app-consents.service.js';
import { AppRegistration, type RegistrationPolicy } from './app.schemas.js';
import { getApp, listApps, registerApp, setAppStatus } from './app.service.js';

const admin = requireRole('admin');

const RegistrationForm = z.strictObject({
  _csrf: z.string(),
  name: z.string(),
  purpose: z.string(),
  legalName: z.string().max(500).optional(),
  registration: z.string().max(500).optional(),
  redirectUris: z.string().max(5000),
  jwks: z.string().max(20_000),
  webhookUrl: z.string().max(500),
  tokenEndpointAuthMethod: z.string(),
});
// Suspending needs a reason: it is kept in the audit log and on the app's page.
const StatusForm = z
  .strictObject({
    _csrf: z.string(),
    status: z.enum(['active', 'suspended']),
    reason: z.string().trim().max(500).optional(),
  })
  .refine((form) => form.status !== 'suspended' || (form.reason?.length ?? 0) >= 10, {
    message: 'Say in a sentence why the app is suspended',
    path: ['reason'],
  });
const ConfirmForm = z.strictObject({ _csrf: z.string(), confirm: z.literal('yes') });
const ClientIdParam = z.strictObject({
  clientId: z.string().regex(/^app-[0-9a-f]{16}$/, 'is not a client_id'),
});

/** Administration: the app registry (register, inspect, suspend, revoke everything an app holds). */
export function appPageRoutes(audit: AuditLog, consentDeps: ConsentDeps, policy: RegistrationPolicy) {
  const router = Router();
  router.use('/admin', noStore);
  const operator = (req: Parameters<typeof requestContext>[0]) => ({
    id: req.user!.id,
    context: requestContext(req),
  });

  router.get('/admin', admin, async (_req, res) => {
    res.render('admin/apps.njk', { apps: await listApps() });
  });

  router.get('/admin/apps/new', admin, (_req, res) => {
    res.render('admin/app-new.njk', { values: { tokenEndpointAuthMethod: 'private_key_jwt' }, policy });
  });

  router.post('/admin/apps', admin, async (req, res) => {
    const form = RegistrationForm.safeParse(req.body);
    const values = form.success ? form.data : (req.body as Record<string, string>);
    const input = form.success ? toRegistration(form.data) : undefined;
    const registration = input?.ok ? AppRegistration(policy).safeParse(input.value) : undefined;
    if (!form.success || !input?.ok || !registration?.success) {
      const problems = !form.success
        ? form.error
        : !input!.ok
          ? input!.errors
          : errorsWithinFields(registration!.error!);
      return showFormAgain(res, 'admin/app-new.njk', problems, { values, policy });
    }
    let registered;
    try {
      registered = await registerApp(audit, operator(req), registration.data);
    } catch (error) {
      if (error instanceof ConflictError && error.code === 'duplicate_name')
        return showFormAgain(res, 'admin/app-new.njk', { name: error.message }, { values, policy });
      throw error;
    }
    const { app, clientSecret } = registered;
    // A secret is shown on this answer alone: it is neither stored nor kept in the session.
    if (clientSecret) return res.status(201).render('admin/app.njk', { app, clientSecret });
    flash(req, 'success', `Registered ${app.name}: client_id ${app._id}.`);
    res.redirect(303, `/admin/apps/${app._id}`);
  });

  router.get('/admin/apps/:clientId', admin, async (req, res) => {
    const { clientId } = parse(ClientIdParam, req.params);
    res.render('admin/app.njk', { app: await getApp(clientId) });
  });

  router.get('/admin/apps/:clientId/suspend', admin, async (req, res) => {
    const { clientId } = parse(ClientIdParam, req.params);
    res.render('admin/suspend.njk', { preview: await previewRevokeAll(consentDeps, clientId), values: {} });
  });

  router.post('/admin/apps/:clientId/status', admin, async (req, res) => {
    const { clientId } = parse(ClientIdParam, req.params);
    const form = StatusForm.safeParse(req.body);
    // A missing or short reason is the form to put right; anything else is a bad request.
    const retype = (issue: z.core.$ZodIssue) =>
      issue.path[0] === 'reason' && (issue.code === 'custom' || issue.code === 'too_big');
    if (!form.success && form.error.issues.every(retype)) {
      return showFormAgain(res, 'admin/suspend.njk', form.error, {
        preview: await previewRevokeAll(consentDeps, clientId),
        values: req.body as Record<string, string>,
      });
    }
    const { status, reason } = parse(StatusForm, req.body);
    const app = await setAppStatus(
      audit,
      operator(req),
      clientId,
      status,
      status === 'suspended' ? reason : undefined,
    );
    flash(
      req,
      'success',
      status === 'suspended'
        ? `${app.name} is suspended: its tokens no longer work.`
        : `${app.name} is active again.`,
    );
    res.redirect(303, `/admin/apps/${clientId}`);
  });

  router.get('/admin/apps/:clientId/revoke-consents', admin, async (req, res) => {
    const { clientId } = parse(ClientIdParam, req.params);
    res.render('admin/revoke-preview.njk', { preview: await previewRevokeAll(consentDeps, clientId) });
  });

  router.post('/admin/apps/:clientId/revoke-consents', admin, async (req, res) => {
    const { clientId } = parse(ClientIdParam, req.params);
    parse(ConfirmForm, req.body);
    const result = await revokeAll(consentDeps, clientId, req.user!.id, requestContext(req));
    flash(
      req,
      'success',
      `Ended ${result.ended} consents of ${result.appName} (${result.customers} customers).`,
    );
    res.redirect(303, `/admin/apps/${clientId}`);
  });

  return router;
}

/** The form's text fields as a registration: one redirect URI per line, the JWKS as JSON. */
function toRegistration(
  form: z.output<typeof RegistrationForm>,
): { ok: true; value: Record<string, unknown> } | { ok: false; errors: Record<string, string> } {
  let jwks: unknown;
  if (form.jwks.trim()) {
    try {
      jwks = JSON.parse(form.jwks);
    } catch {
      return { ok: false, errors: { jwks: 'must be a JSON Web Key Set, e.g. {"keys":[{...}]}' } };
    }
  }
  return {
    ok: true,
    value: {
      name: form.name,
      purpose: form.purpose,
      ...(form.legalName?.trim() ? { legalName: form.legalName } : {}),
      ...(form.registration?.trim() ? { registration: form.registration } : {}),
      redirectUris: form.redirectUris
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
      ...(jwks ? { jwks } : {}),
      ...(form.webhookUrl.trim() ? { webhookUrl: form.webhookUrl.trim() } : {}),
      tokenEndpointAuthMethod: form.tokenEndpointAuthMethod,
    },
  };
}
