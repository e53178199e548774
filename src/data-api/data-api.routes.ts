import { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { obBasePath } from '../open-banking/ob-api.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { requestContext } from '../http/request-context.js';
import { parse } from '../http/validate.js';
import { requireAppToken } from '../oauth/resource-server.js';
import { authoriseDataRequest, type Resource } from './data-access.service.js';
import { AccountParam, NoQuery, TransactionsQuery } from './data-api.schemas.js';
import { readAccounts, readBalances, readTransactions } from './data-reads.service.js';

type Deps = ConsentDeps & { unattendedDailyLimit: number };

/** The OB v4.0 account information endpoints, for a customer's DPoP-bound access token. */
export function dataApiRoutes(provider: Provider, deps: Deps, publicUrl: string) {
  const router = Router();
  const customer = requireAppToken(provider, publicUrl, 'customer', deps.audit);
  const selfUrl = (req: Request) => `${publicUrl}${req.originalUrl}`;
  const answer = (req: Request, res: Response, data: object, next?: string) => {
    const nextUrl = next ? new URL(selfUrl(req)) : undefined;
    nextUrl?.searchParams.set('page', next!);
    res.json({
      Data: data,
      Links: { Self: selfUrl(req), ...(nextUrl ? { Next: nextUrl.href } : {}) },
      Meta: {},
    });
  };

  const authorise = (req: Request, res: Response, resource: Resource, route: string, accountId?: string) =>
    authoriseDataRequest(deps, {
      token: res.locals.appToken!,
      resource,
      route,
      ...(accountId ? { accountId } : {}),
      attended: res.locals.customerIpAddress !== undefined,
      context: requestContext(req),
    });

  router.get(`${obBasePath}/accounts`, customer, async (req, res) => {
    parse(NoQuery, req.query);
    const access = await authorise(req, res, 'accounts', 'GET /accounts');
    answer(req, res, { Account: await readAccounts(access, access.accountIds) });
  });

  router.get(`${obBasePath}/accounts/:AccountId`, customer, async (req, res) => {
    const { AccountId } = parse(AccountParam, req.params);
    parse(NoQuery, req.query);
    const access = await authorise(req, res, 'accounts', 'GET /accounts/{AccountId}', AccountId);
    answer(req, res, { Account: await readAccounts(access, [AccountId]) });
  });

  router.get(`${obBasePath}/accounts/:AccountId/balances`, customer, async (req, res) => {
    const { AccountId } = parse(AccountParam, req.params);
    parse(NoQuery, req.query);
    const access = await authorise(req, res, 'balances', 'GET /accounts/{AccountId}/balances', AccountId);
    answer(req, res, { Balance: await readBalances(access, [AccountId]) });
  });

  router.get(`${obBasePath}/balances`, customer, async (req, res) => {
    parse(NoQuery, req.query);
    const access = await authorise(req, res, 'balances', 'GET /balances');
    answer(req, res, { Balance: await readBalances(access, access.accountIds) });
  });

  /** One account's transactions, or (without accountId) those of every account in the consent. */
  const sendTransactions = async (req: Request, res: Response, route: string, accountId?: string) => {
    const query = parse(TransactionsQuery, req.query);
    const access = await authorise(req, res, 'transactions', route, accountId);
    const page = await readTransactions(access, {
      ...query,
      accountIds: accountId ? [accountId] : access.accountIds,
      now: deps.now?.() ?? new Date(),
    });
    answer(req, res, { Transaction: page.transactions }, page.next);
  };

  router.get(`${obBasePath}/accounts/:AccountId/transactions`, customer, async (req, res) => {
    const { AccountId } = parse(AccountParam, req.params);
    await sendTransactions(req, res, 'GET /accounts/{AccountId}/transactions', AccountId);
  });

  router.get(`${obBasePath}/transactions`, customer, async (req, res) => {
    await sendTransactions(req, res, 'GET /transactions');
  });

  return router;
}
