import autocannon from 'autocannon';
import { exportJWK, SignJWT } from 'jose';
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { endpointClasses, latencyLimitMs, type EndpointClass } from '../../src/performance/endpoint-class.js';
import { addCounts, percentileMs, shareWithin } from '../../src/performance/latency-histogram.js';
import { minutesBetween } from '../../src/performance/performance.repository.js';
import { obBasePath } from '../../src/open-banking/ob-api.js';
import { connectedApp, consentsUrl } from '../../test/helpers/oauth-client.js';
import { authorisationFlow, signedInBrowsers, startBenchBank } from './bench-bank.js';
import { freshDatabase } from './bench-db.js';

export interface LatencyFigures {
  apps: number;
  seconds: number;
  classes: {
    endpointClass: EndpointClass;
    calls: number;
    p50Ms: number | undefined;
    p95Ms: number | undefined;
    p99Ms: number | undefined;
    limitMs: number | undefined;
    withinLimit: number | undefined;
  }[];
}

type Connected = Awaited<ReturnType<typeof connectedApp>>;

/**
 * Latency per endpoint class, as Australia's CDR measures it, under load: `apps` apps read
 * their customers' transactions at once (customer present) while authorisations run
 * alongside, each followed by the revocation of its consent. The figures are the server's
 * own (its performance recorder, the one behind /performance.json): percentiles are the
 * upper bounds of 20%-wide buckets, and the share within each limit is exact.
 */
export async function latencyScenario(options: {
  apps: number;
  seconds: number;
  /** Authorisations running at once alongside the reads. */
  authorisations: number;
  log: (line: string) => void;
}): Promise<LatencyFigures> {
  const db = await freshDatabase();
  const bank = await startBenchBank();
  try {
    const { issuer } = bank;
    options.log(`  connecting ${options.apps} apps`);
    const apps: Connected[] = [];
    for (let i = 0; i < options.apps; i++)
      apps.push(
        await connectedApp(
          { issuer },
          [
            'ReadAccountsBasic',
            'ReadTransactionsDetail',
            'ReadTransactionsCredits',
            'ReadTransactionsDebits',
          ],
          {
            transactions: 200,
          },
        ),
      );
    const reads = await Promise.all(apps.map((s) => readRequests(issuer, s, 60 * options.seconds)));
    const browsers = await signedInBrowsers(issuer, apps[0]!, options.authorisations);

    // Only the calls under load count: what setting up the apps recorded is left out.
    await bank.built.performance.flush(true);
    const before = new Set(
      (await minutesBetween(new Date(0), new Date(Date.now() + 60_000))).map((m) => m._id),
    );
    const started = new Date();
    let next = 0;
    const load = autocannon({
      url: issuer,
      connections: options.apps,
      duration: options.seconds,
      requests: [
        {
          setupRequest: (req: autocannon.Request) => {
            const n = next++;
            const app = reads[n % reads.length]!;
            return {
              ...req,
              path: app.path,
              headers: { ...req.headers, ...app.headers(Math.floor(n / reads.length)) },
            };
          },
        },
      ],
    });
    let authorisations = 0;
    const alongside = Promise.all(
      browsers.map(async (browser) => {
        const until = started.getTime() + options.seconds * 1000;
        while (Date.now() < until) {
          const { consentId, clientToken } = await authorisationFlow(issuer, apps[0]!, browser);
          await revoke(issuer, apps[0]!, consentId, clientToken);
          authorisations += 1;
        }
      }),
    );
    const [result] = await Promise.all([load, alongside]);
    options.log(
      `  ${result['2xx']} reads answered 2xx, ${result.non2xx} not; ${authorisations} authorisations, each revoked`,
    );
    await bank.built.performance.flush(true);
    const minutes = (await minutesBetween(new Date(0), new Date(Date.now() + 60_000))).filter(
      (m) => !before.has(m._id),
    );
    return {
      apps: options.apps,
      seconds: options.seconds,
      classes: endpointClasses.map((endpointClass) => {
        const counts: number[] = [];
        let calls = 0;
        for (const minute of minutes) {
          const c = minute.classes[endpointClass];
          if (!c) continue;
          addCounts(counts, c.latency);
          calls += c.ok + c.clientError + c.serverError;
        }
        const limitMs = latencyLimitMs[endpointClass];
        return {
          endpointClass,
          calls,
          p50Ms: percentileMs(counts, 50),
          p95Ms: percentileMs(counts, 95),
          p99Ms: percentileMs(counts, 99),
          limitMs,
          withinLimit: limitMs ? shareWithin(counts, limitMs) : undefined,
        };
      }),
    };
  } finally {
    await bank.close();
    await db.dispose();
  }
}

/** An app's transaction reads with the customer present: the path and, per call, fresh DPoP headers signed ahead. */
async function readRequests(issuer: string, s: Connected, count: number) {
  const path = `${obBasePath}/accounts/${s.accounts[0]!.accountId}/transactions`;
  const jwk = await exportJWK(s.c.dpopKeys.publicKey);
  const ath = createHash('sha256').update(s.tokens.access_token).digest('base64url');
  const proofs: string[] = [];
  for (let i = 0; i < count; i++)
    proofs.push(
      await new SignJWT({
        htm: 'GET',
        htu: `${issuer}${path}`,
        ath,
        jti: `${i}-${Math.random().toString(36).slice(2)}`,
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .setIssuedAt()
        .sign(s.c.dpopKeys.privateKey),
    );
  return {
    path,
    headers: (n: number) => ({
      authorization: `DPoP ${s.tokens.access_token}`,
      dpop: proofs[n % proofs.length]!,
      'x-fapi-customer-ip-address': '198.51.100.7',
    }),
  };
}

/** DELETE /account-access-consents/{id}, as the app revokes a consent. */
async function revoke(issuer: string, s: Connected, consentId: string, clientToken: string) {
  const res = await client.fetchProtectedResource(
    s.c.config,
    clientToken,
    new URL(`${consentsUrl(issuer).href}/${consentId}`),
    'DELETE',
    undefined,
    new Headers(),
    { DPoP: s.c.DPoP },
  );
  if (res.status !== 204) throw new Error(`revoking a consent answered ${res.status}`);
}
