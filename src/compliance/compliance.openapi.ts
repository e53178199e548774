import { z } from 'zod';
import {
  ActivityBody,
  AuditEvidenceQuery,
  AuditEventBody,
  AuditExportQuery,
  AuditPageBody,
  AuditSearchQuery,
  CheckpointBody,
  ConsentHistoryQuery,
  ConsentIdParam,
  SeqParam,
  VerificationBody,
  ActivityQuery,
} from './compliance.schemas.js';
import { ErrorBody, type Operation } from '../openapi/openapi.js';

const tags = ['Compliance'];
const denied = {
  400: { description: 'A query parameter is invalid; the body names it', schema: ErrorBody },
  401: { description: 'Not signed in', schema: ErrorBody },
  403: { description: 'Signed in without the compliance role', schema: ErrorBody },
};

export const complianceOperations: Operation[] = [
  {
    method: 'get',
    path: '/api/compliance/events',
    summary:
      'Search the audit log by cursor: newest first from `before`, or oldest first from `after` (the next newer page)',
    tags,
    security: 'session',
    query: AuditSearchQuery,
    responses: { 200: { description: 'One page of events', schema: AuditPageBody }, ...denied },
  },
  {
    method: 'get',
    path: '/api/compliance/events/{seq}',
    summary: 'One audit event',
    tags,
    security: 'session',
    params: SeqParam,
    responses: {
      200: { description: 'The event', schema: AuditEventBody },
      404: { description: 'No such event', schema: ErrorBody },
      ...denied,
    },
  },
  {
    method: 'get',
    path: '/api/compliance/consents/{consentId}/events',
    summary: "A consent's full history, oldest first",
    tags,
    security: 'session',
    params: ConsentIdParam,
    query: ConsentHistoryQuery,
    responses: { 200: { description: 'One page of events', schema: AuditPageBody }, ...denied },
  },
  {
    method: 'get',
    path: '/api/compliance/activity',
    summary: 'Per-day activity per app, and refused accesses by reason',
    tags,
    security: 'session',
    query: ActivityQuery,
    responses: { 200: { description: 'Activity summary', schema: ActivityBody }, ...denied },
  },
  {
    method: 'get',
    path: '/api/compliance/checkpoints',
    summary: 'Every signed checkpoint of the chain head',
    tags,
    security: 'session',
    responses: {
      200: {
        description: 'Checkpoints, oldest first',
        schema: z.object({ checkpoints: z.array(CheckpointBody) }),
      },
      ...denied,
    },
  },
  {
    method: 'post',
    path: '/api/compliance/checkpoints',
    summary: 'Sign a checkpoint of the chain head now',
    tags,
    security: 'sessionWithCsrf',
    responses: {
      201: { description: 'The checkpoint', schema: CheckpointBody },
      409: { description: 'The log is empty', schema: ErrorBody },
      ...denied,
    },
  },
  {
    method: 'post',
    path: '/api/compliance/verifications',
    summary: 'Verify the whole chain and every checkpoint now',
    tags,
    security: 'sessionWithCsrf',
    responses: {
      200: { description: 'The verdict, naming the first tampered event if any', schema: VerificationBody },
      ...denied,
    },
  },
  {
    method: 'get',
    path: '/api/compliance/export',
    summary: 'Export matching events as CSV or JSON Lines (streamed, oldest first)',
    tags,
    security: 'session',
    query: AuditExportQuery,
    responses: {
      200: {
        description: 'The export: CSV, or JSON Lines with format=jsonl',
        contentType: ['text/csv', 'application/x-ndjson'],
      },
      ...denied,
    },
  },
  {
    method: 'get',
    path: '/api/compliance/evidence-pack',
    summary: 'Evidence pack: verification result, checkpoint, public key, the events, and a signed digest',
    tags,
    security: 'session',
    query: AuditEvidenceQuery,
    responses: { 200: { description: 'JSON Lines', contentType: 'application/x-ndjson' }, ...denied },
  },
  {
    method: 'get',
    path: '/.well-known/audit-keys.json',
    summary: 'Public keys that sign audit checkpoints and evidence packs (JWKS)',
    tags,
    security: 'none',
    responses: {
      200: {
        description: 'JWKS',
        schema: z.object({
          keys: z.array(
            z.object({
              kty: z.literal('OKP'),
              crv: z.literal('Ed25519'),
              x: z.string(),
              kid: z.string(),
              use: z.string(),
              alg: z.string(),
            }),
          ),
        }),
      },
    },
  },
];
