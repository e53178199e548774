import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOrCreateFile } from '../../src/data-dir-file.js';

describe('a generated key or secret in DATA_DIR', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'data-dir-file-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('created by many starts at once is one whole file that every start reads back', async () => {
    const file = join(dir, 'signing-key.pem');
    const key = (n: number) => `-----BEGIN KEY-----\n${String(n).repeat(4000)}\n-----END KEY-----\n`;
    const read = await Promise.all(
      Array.from({ length: 20 }, (_, n) => readOrCreateFile(file, () => key(n))),
    );
    assert.equal(new Set(read).size, 1, 'every start read the same key');
    assert.match(
      read[0]!,
      /^-----BEGIN KEY-----\n(\d)\1{3999}\n-----END KEY-----\n$/,
      'whole, never half written',
    );
    assert.deepEqual(await readdir(dir), ['signing-key.pem'], 'no drafts left behind');
    assert.equal(await readOrCreateFile(file, () => key(9)), read[0], 'kept across restarts');
  });
});
