import { Router, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import { AccountModel, type AccountRecord } from '../accounts/account.model.js';
import { BalanceModel, type BalanceRecord } from '../accounts/balance.model.js';
import { obBasePath } from '../consents/consent-api.routes.js';
import type { ConsentDeps } from '../consents/consent.service.js';
import { findManyById } from '../db/primary-key.js';
import { accountOpenings } from './account-openings.js';
import { requestContext } from '../http/request-context.js';
import { parse } from '../http/validate.js';
import { requireAppToken } from '../oauth/resource-server.js';
import { ObError, obErrorCodes } from '../open-banking/ob-errors.js';
import { authoriseDataRequest, type Resource } from './data-access.service.js';
import { AccountParam, NoQuery, TransactionsQuery } from './data-api.schemas.js';
import { accountBody, balanceBodies, directionGranted, grantsOf, transactionBody } from './data-shaping.js';
import { decodeCursor, encodeCursor, readTransactions } from './transactions-reader.js';

const pageSize = 100;

type Deps = ConsentDeps & { unattendedDailyLimit: number };

/** The OB v4.0 account information endpoints, for a customer's DPoP-bound access token. */
export function dataApiRoutes(provider: Provider, deps: Deps, publicUrl: string) {
  const router = Router();
  const customer = requireAppToken(provider, publicUrl, 'customer', deps.audit);
  const selfUrl = (req: Request) => `${publicUrl}${req.originalUrl}`;

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
    const accounts = await loadAccounts(access.accountIds);
    await access.recordAccess(access.accountIds, accounts.length);
    const grants = grantsOf(access.consent.permissions);
    res.json({
      Data: { Account: accounts.map((a) => accountBody(a, grants)) },
      Links: { Self: selfUrl(req) },
      Meta: {},
    });
  });

  router.get(`${obBasePath}/accounts/:AccountId`, customer, async (req, res) => {
    const { AccountId } = parse(AccountParam, req.params);
    parse(NoQuery, req.query);
    const access = await authorise(req, res, 'accounts', 'GET /accounts/{AccountId}', AccountId);
    const accounts = await loadAccounts([AccountId]);
    await access.recordAccess([AccountId], accounts.length);
    const grants = grantsOf(access.consent.permissions);
    res.json({
      Data: { Account: accounts.map((a) => accountBody(a, grants)) },
      Links: { Self: selfUrl(req) },
      Meta: {},
    });
  });

  const sendBalances = async (
    req: Request,
    res: Response,
    ids: string[],
    access: Awaited<ReturnType<typeof authorise>>,
  ) => {
    const balances = (await findManyById(ids, (id) => BalanceModel.findById(id).lean())) as BalanceRecord[];
    const entries = balances.flatMap(balanceBodies);
    await access.recordAccess(ids, entries.length);
    res.json({ Data: { Balance: entries }, Links: { Self: selfUrl(req) }, Meta: {} });
  };

  router.get(`${obBasePath}/accounts/:AccountId/balances`, customer, async (req, res) => {
    const { AccountId } = parse(AccountParam, req.params);
    parse(NoQuery, req.query);
    const access = await authorise(req, res, 'balances', 'GET /accounts/{AccountId}/balances', AccountId);
    await sendBalances(req, res, [AccountId], access);
  });

  router.get(`${obBasePath}/balances`, customer, async (req, res) => {
    parse(NoQuery, req.query);
    const access = await authorise(req, res, 'balances', 'GET /balances');
    await sendBalances(req, res, access.accountIds, access);
  });

  /** One account's transactions, or (without accountId) those of every account in the consent. */
  const sendTransactions = async (req: Request, res: Response, route: string, accountId?: string) => {
    const query = parse(TransactionsQuery, req.query);
    const access = await authorise(req, res, 'transactions', route, accountId);
    const { consent } = access;
    const ids = accountId ? [accountId] : access.accountIds;
    const now = deps.now?.() ?? new Date();
    const from = latest(consent.transactionFromDateTime ?? undefined, query.fromBookingDateTime);
    const to = earliest(consent.transactionToDateTime ?? undefined, query.toBookingDateTime, now);
    if (from && from > to) {
      await deps.audit.record({
        action: 'data.denied',
        actor: { type: 'app', id: consent.clientId },
        outcome: 'failure',
        reason: 'outside_transaction_window',
        clientId: consent.clientId,
        customerId: consent.customerId ?? undefined,
        consentId: consent._id,
        resource: route,
        accountIds: ids,
        context: requestContext(req),
      });
      throw new ObError(400, [
        {
          ErrorCode: obErrorCodes.outsideTransactionWindow,
          Message: 'The requested period lies outside the period the customer consented to',
        },
      ]);
    }
    const cursor = query.page ? decodePage(query.page) : undefined;
    const grants = grantsOf(consent.permissions);
    const openings = await accountOpenings(ids);
    const accounts = ids
      .filter((id) => openings.has(id))
      .map((id) => ({ _id: id, openedAt: openings.get(id)! }));
    const bodies: ReturnType<typeof transactionBody>[] = [];
    let next: string | undefined;
    for (let index = cursor?.account ?? 0; index < accounts.length && !next; index++) {
      const account = accounts[index]!;
      const page = await readTransactions(
        account._id,
        { from: latest(from, account.openedAt)!, to },
        {
          limit: pageSize - bodies.length,
          ...(cursor && index === cursor.account && cursor.at
            ? { after: { at: cursor.at, id: cursor.id! } }
            : {}),
          keep: (t) => directionGranted(t, grants),
        },
      );
      bodies.push(...page.transactions.map((t) => transactionBody(account._id, t, grants)));
      if (page.next) next = encodePage({ account: index, ...page.next });
      else if (bodies.length >= pageSize && index + 1 < accounts.length)
        next = encodePage({ account: index + 1 });
    }
    await access.recordAccess(ids, bodies.length);
    const nextUrl = next ? new URL(selfUrl(req)) : undefined;
    nextUrl?.searchParams.set('page', next!);
    res.json({
      Data: { Transaction: bodies },
      Links: { Self: selfUrl(req), ...(nextUrl ? { Next: nextUrl.href } : {}) },
      Meta: {},
    });
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

async function loadAccounts(ids: string[]): Promise<AccountRecord[]> {
  return (await findManyById(ids, (id) => AccountModel.findById(id).lean())) as AccountRecord[];
}

function latest(...dates: (Date | undefined)[]): Date | undefined {
  const present = dates.filter((d): d is Date => d instanceof Date);
  return present.length ? new Date(Math.max(...present.map((d) => d.getTime()))) : undefined;
}

function earliest(...dates: (Date | undefined)[]): Date {
  const present = dates.filter((d): d is Date => d instanceof Date);
  return new Date(Math.min(...present.map((d) => d.getTime())));
}

interface PageCursor {
  account: number;
  at?: Date;
  id?: string;
}

function encodePage(page: PageCursor): string {
  return `${page.account}.${page.at ? encodeCursor({ at: page.at, id: page.id! }) : ''}`;
}

function decodePage(value: string): PageCursor {
  const [account, rest] = value.split('.');
  const index = Number(account);
  const cursor = rest ? decodeCursor(rest) : undefined;
  if (!Number.isInteger(index) || index < 0 || (rest && !cursor)) {
    throw new ObError(400, [
      {
        ErrorCode: obErrorCodes.fieldInvalid,
        Message: 'page: is not a page this server issued',
        Path: 'page',
      },
    ]);
  }
  return { account: index, ...(cursor ? { at: cursor.at, id: cursor.id } : {}) };
}
