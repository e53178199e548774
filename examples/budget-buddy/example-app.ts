/* eslint-disable @typescript-eslint/no-explicit-any -- the bank's OB JSON bodies are read loosely, for display only */
import { randomUUID } from 'node:crypto';
import express from 'express';
import * as client from 'openid-client';
import type { CryptoKey } from 'jose';

/**
 * Budget Buddy, an example third-party app. It does what a real fintech does against the
 * consent manager: client credentials with private_key_jwt and DPoP, an OB
 * account-access consent, a pushed authorisation request with PKCE and the consent as the
 * essential openbanking_intent_id claim, the code exchange with DPoP, data reads with a
 * fresh DPoP proof each time, and withdrawal (DELETE) of the consent.
 */

export interface ExampleOptions {
  bankUrl: string;
  baseUrl: string;
  clientId: string;
  privateKey: CryptoKey;
  kid: string;
  /** Only for a bank on plain http (local development). */
  allowHttp: boolean;
}

interface Visit {
  dpop: client.DPoPHandle;
  consentId?: string;
  pkceVerifier?: string;
  state?: string;
  nonce?: string;
  tokens?: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  message?: string;
}

const obBase = '/open-banking/v4.0/aisp';
const permissions = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

export async function createExampleApp(options: ExampleOptions) {
  const config = await client.discovery(
    new URL(options.bankUrl),
    options.clientId,
    { id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'private_key_jwt' },
    client.PrivateKeyJwt({ key: options.privateKey, kid: options.kid }),
    options.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
  );
  const visits = new Map<string, Visit>();
  const redirectUri = `${options.baseUrl}/cb`;
  const app = express();
  app.use(express.urlencoded({ extended: false }));

  const visitOf = async (req: express.Request, res: express.Response): Promise<Visit> => {
    const id = /(?:^|; )bb=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (id && visits.has(id)) return visits.get(id)!;
    const fresh = randomUUID();
    const visit: Visit = { dpop: client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256')) };
    visits.set(fresh, visit);
    res.setHeader('set-cookie', `bb=${fresh}; HttpOnly; SameSite=Lax; Path=/`);
    return visit;
  };

  const bankCall = async (visit: Visit, token: string, path: string, method = 'GET', body?: unknown) => {
    const res = await client.fetchProtectedResource(
      config,
      token,
      new URL(`${options.bankUrl}${obBase}${path}`),
      method,
      body === undefined ? undefined : JSON.stringify(body),
      new Headers({ 'content-type': 'application/json', 'x-fapi-customer-ip-address': '127.0.0.1' }),
      { DPoP: visit.dpop },
    );
    return {
      status: res.status,
      body: res.status === 204 ? undefined : ((await res.json()) as Record<string, any>),
    };
  };

  app.get('/', async (req, res) => {
    const visit = await visitOf(req, res);
    let data: { accounts?: unknown; transactions?: unknown; error?: string } = {};
    if (visit.tokens) {
      try {
        const accounts = await bankCall(visit, visit.tokens.access_token, '/accounts');
        const transactions = await bankCall(visit, visit.tokens.access_token, '/transactions');
        data =
          accounts.status === 200
            ? { accounts: accounts.body, transactions: transactions.body }
            : { error: JSON.stringify(accounts.body) };
      } catch (error) {
        data = { error: error instanceof Error ? error.message : String(error) };
      }
    }
    res.type('html').send(page(visit, data));
  });

  app.post('/connect', async (req, res) => {
    const visit = await visitOf(req, res);
    const cc = await client.clientCredentialsGrant(config, { scope: 'accounts' }, { DPoP: visit.dpop });
    const consent = await bankCall(visit, cc.access_token, '/account-access-consents', 'POST', {
      Data: { Permissions: permissions },
      Risk: {},
    });
    if (consent.status !== 201) {
      visit.message = `The bank refused the consent: ${JSON.stringify(consent.body)}`;
      return res.redirect(303, '/');
    }
    visit.consentId = consent.body!.Data.ConsentId;
    visit.pkceVerifier = client.randomPKCECodeVerifier();
    visit.state = client.randomState();
    visit.nonce = client.randomNonce();
    const intent = { openbanking_intent_id: { value: visit.consentId, essential: true } };
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        redirect_uri: redirectUri,
        scope: 'openid accounts',
        code_challenge: await client.calculatePKCECodeChallenge(visit.pkceVerifier),
        code_challenge_method: 'S256',
        state: visit.state,
        nonce: visit.nonce,
        claims: JSON.stringify({ id_token: intent, userinfo: intent }),
      },
      { DPoP: visit.dpop },
    );
    res.redirect(303, url.href);
  });

  app.get('/cb', async (req, res) => {
    const visit = await visitOf(req, res);
    const current = new URL(req.originalUrl, options.baseUrl);
    if (current.searchParams.get('error')) {
      visit.message = `Not connected: ${current.searchParams.get('error_description') ?? current.searchParams.get('error')}`;
      return res.redirect(303, '/');
    }
    visit.tokens = await client.authorizationCodeGrant(
      config,
      current,
      {
        pkceCodeVerifier: visit.pkceVerifier!,
        expectedState: visit.state!,
        expectedNonce: visit.nonce!,
        idTokenExpected: true,
      },
      undefined,
      { DPoP: visit.dpop },
    );
    visit.message = `Connected: consent ${visit.tokens.claims()?.openbanking_intent_id as string}`;
    res.redirect(303, '/');
  });

  app.post('/revoke', async (req, res) => {
    const visit = await visitOf(req, res);
    if (visit.consentId) {
      const cc = await client.clientCredentialsGrant(config, { scope: 'accounts' }, { DPoP: visit.dpop });
      const result = await bankCall(
        visit,
        cc.access_token,
        `/account-access-consents/${visit.consentId}`,
        'DELETE',
      );
      visit.message =
        result.status === 204
          ? 'Access withdrawn: we asked your bank to end our access, and it has.'
          : `Could not withdraw: the bank answered ${result.status}`;
      delete visit.tokens;
    }
    res.redirect(303, '/');
  });

  return app;
}

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

function page(visit: Visit, data: { accounts?: any; transactions?: any; error?: string }): string {
  const rows = ((data.transactions?.Data?.Transaction as any[]) ?? [])
    .slice(0, 50)
    .map(
      (t) =>
        `<tr><td>${escape(String(t.BookingDateTime).slice(0, 10))}</td><td>${escape(t.TransactionInformation ?? t.MerchantDetails?.MerchantName ?? '')}</td><td>${escape(t.CreditDebitIndicator)}</td><td>${escape(t.Amount?.Amount ?? '')} ${escape(t.Amount?.Currency ?? '')}</td></tr>`,
    )
    .join('');
  const accounts = ((data.accounts?.Data?.Account as any[]) ?? [])
    .map(
      (a) =>
        `<li>${escape(a.Nickname ?? a.AccountId)} (${escape(a.AccountTypeCode === 'CARD' ? 'card' : 'current account')})</li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Budget Buddy</title></head><body>
<h1>Budget Buddy</h1>
${visit.message ? `<p role="status">${escape(visit.message)}</p>` : ''}
${
  visit.tokens
    ? `<p>Connected to your bank (consent <code>${escape(visit.consentId ?? '')}</code>).</p>
<form method="post" action="/revoke"><button type="submit">Disconnect</button></form>
${data.error ? `<p>The bank refused: <code>${escape(data.error)}</code></p>` : ''}
<h2>Accounts</h2><ul>${accounts}</ul>
<h2>Transactions</h2><table><thead><tr><th>Date</th><th>Description</th><th>In/out</th><th>Amount</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<form method="post" action="/connect"><button type="submit">Connect your bank</button></form>`
}
</body></html>`;
}
