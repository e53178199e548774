#!/usr/bin/env node
// Checks a Northbank audit evidence pack with public tools only: Node's crypto and the
// `canonicalize` package (RFC 8785, JSON Canonicalization Scheme). Nothing of the bank's
// code is used, so an auditor can run it as it is:
//
//   npm install canonicalize
//   node verify.mjs audit-evidence.jsonl
//
// It checks that every event's hash is the SHA-256 of its RFC 8785 form (all fields but
// "type" and "hash"), that consecutive events are chained (prevHash), that the checkpoint
// in the header is signed by the published key (and matches the pack where they overlap),
// and that the last line signs the SHA-256 of every line before it. Exit code 0 when all
// holds; 1, with the first problem, when anything does not.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

function fail(message) {
  console.error(`Evidence pack NOT intact: ${message}`);
  process.exit(1);
}

const file = process.argv[2];
if (!file) fail('name the pack to check: node verify.mjs audit-evidence.jsonl');
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line !== '');
if (lines.length < 2) fail('a pack has at least a header and a last line');

const header = JSON.parse(lines[0]);
if (header.type !== 'evidence-pack') fail('the first line is not an evidence pack header');
const key = createPublicKey({ key: header.publicKey, format: 'jwk' });
const signedBy = (data, signature) =>
  verify(null, Buffer.from(data), key, Buffer.from(signature, 'base64url'));

// The last line: the SHA-256 of every line before it, signed.
const end = JSON.parse(lines.at(-1));
if (end.type !== 'end') fail('the last line is not the signed end of the pack');
const body = lines
  .slice(0, -1)
  .map((line) => `${line}\n`)
  .join('');
if (sha256(body) !== end.sha256) fail('the lines before the last were changed (their SHA-256 differs)');
if (!signedBy(end.sha256, end.signature)) fail('the last line is not signed by the key in the header');

// Every event: its hash, and its link to the event before it when that one is in the pack.
const hashes = new Map();
let previous;
let events = 0;
for (const line of lines.slice(1, -1)) {
  const record = JSON.parse(line);
  if (record.type !== 'event') fail(`an unexpected line: ${line.slice(0, 80)}`);
  const { type, hash, ...content } = record;
  void type;
  if (sha256(canonicalize(content)) !== hash)
    fail(`event ${record.seq} was changed (its hash does not match)`);
  if (previous && record.seq === previous.seq + 1 && record.prevHash !== previous.hash)
    fail(`event ${record.seq} is not chained to event ${previous.seq}`);
  hashes.set(record.seq, hash);
  previous = record;
  events += 1;
}
if (events !== end.events) fail(`the pack says ${end.events} events and holds ${events}`);

// The checkpoint: signed by the key, and agreeing with the pack where they overlap.
const checkpoint = header.checkpoint;
if (checkpoint) {
  const statement = canonicalize({
    type: 'audit-checkpoint',
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    at: checkpoint.at,
    keyId: checkpoint.keyId,
  });
  if (!signedBy(statement, checkpoint.signature))
    fail('the checkpoint is not signed by the key in the header');
  if (hashes.has(checkpoint.seq) && hashes.get(checkpoint.seq) !== checkpoint.hash)
    fail(`event ${checkpoint.seq} differs from the signed checkpoint`);
}

console.log(
  `Evidence pack intact: ${events} events, their hashes and links checked; ` +
    `${checkpoint ? `checkpoint at event ${checkpoint.seq} signed; ` : ''}` +
    `the pack signed by key ${header.publicKey.kid}. ` +
    `The bank's verification of the whole log when the pack was made: ${header.verification.ok ? 'intact' : 'NOT intact'}.`,
);
