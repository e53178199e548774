import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { obBasePath } from '../../src/open-banking/ob-api.js';
import type { AppClient } from '../helpers/oauth-client.js';

/** One call to the data API as a client saw it. */
export interface Read {
  /** The x-fapi-interaction-id the client sent; the server records it as the audit event's interactionId. */
  interactionId: string;
  /** Which server process the front door was asked to use, if one was pinned. */
  backend: number | undefined;
  /** performance.now() when the client began the call (before making its DPoP proof) and when it had the answer. */
  startedAt: number;
  endedAt: number;
  /** HTTP status; 0 when the connection failed. */
  status: number;
  /** The first OB ErrorCode of an error body. */
  errorCode: string | undefined;
  /** Whether the body carried `Data`. */
  hasData: boolean;
  /** Whether the response echoed the interaction id (x-fapi-interaction-id), tying it to its audit event. */
  echoed: boolean;
}

export interface Reader {
  issuer: string;
  c: AppClient;
  accessToken: string;
}

/** Header that makes the front door send a call to one server process (see front-door.ts). */
export const backendHeader = 'x-test-backend';

/** One data API call with a fresh DPoP proof and its own interaction id, attended (no daily limit). */
export async function readOnce(reader: Reader, path: string, backend?: number): Promise<Read> {
  const interactionId = randomUUID();
  const startedAt = performance.now();
  const headers = new Headers({
    'x-fapi-customer-ip-address': '198.51.100.7',
    'x-fapi-interaction-id': interactionId,
  });
  if (backend !== undefined) headers.set(backendHeader, String(backend));
  let response: Response | undefined;
  try {
    response = await client.fetchProtectedResource(
      reader.c.config,
      reader.accessToken,
      new URL(`${reader.issuer}${obBasePath}${path}`),
      'GET',
      undefined,
      headers,
      { DPoP: reader.c.DPoP },
    );
  } catch (error) {
    // openid-client throws on a 401 with a DPoP challenge; a failed connection has no response.
    const e = error as { response?: Response; cause?: unknown };
    response = e.response ?? (e.cause instanceof Response ? e.cause : undefined);
  }
  const body = response
    ? ((await response.json().catch(() => ({}))) as { Data?: unknown; Errors?: { ErrorCode?: string }[] })
    : {};
  return {
    interactionId,
    backend,
    startedAt,
    endedAt: performance.now(),
    status: response?.status ?? 0,
    errorCode: body.Errors?.[0]?.ErrorCode,
    hasData: body.Data !== undefined,
    echoed: response?.headers.get('x-fapi-interaction-id') === interactionId,
  };
}

/**
 * `count` clients each reading in a loop until stopped, every call recorded. `backendOf`
 * pins client i to a server process. Clients pause briefly after a failed connection so
 * that a dead server is not spun against.
 */
export function startReaders(
  reader: Reader,
  path: string,
  count: number,
  backendOf: (i: number) => number | undefined = () => undefined,
) {
  const reads: Read[] = [];
  let stopped = false;
  const loops = Array.from({ length: count }, async (_, i) => {
    while (!stopped) {
      const read = await readOnce(reader, path, backendOf(i));
      reads.push(read);
      if (read.status === 0 || read.status === 502) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  return {
    reads,
    /** Resolves once a read matching `test` has been seen, or rejects after `timeoutMs`. */
    async until(test: (read: Read) => boolean, timeoutMs: number, what: string): Promise<Read> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const found = reads.find(test);
        if (found) return found;
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop(): Promise<Read[]> {
      stopped = true;
      await Promise.all(loops);
      return reads;
    },
  };
}

/** Counts by status, as the figures table shows them. */
export function tally(reads: readonly Read[]) {
  const of = (status: number) => reads.filter((r) => r.status === status).length;
  return {
    requests: reads.length,
    ok: of(200),
    unavailable: of(503),
    other: reads.filter((r) => r.status !== 200 && r.status !== 503).length,
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** e.g. `200 x241, 503 U014 x22`: every status (and OB error code) seen, with counts. */
export function breakdown(reads: readonly Read[]): string {
  const counts = new Map<string, number>();
  for (const r of reads) {
    const key = r.errorCode ? `${r.status} ${r.errorCode}` : String(r.status);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} x${n}`)
    .join(', ');
}
