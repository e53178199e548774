import assert from 'node:assert/strict';
import { AuditEventModel } from '../../src/audit/audit-event.model.js';
import { eventId } from '../../src/audit/audit-event.js';
import { createTestAuditLog, testAuditKeyPem } from '../helpers/app.js';
import { runProcess } from '../helpers/server-process.js';
import { testDatabase } from '../helpers/root-hooks.js';

describe('npm run audit:verify', function () {
  this.timeout(60_000);
  const env = () => ({
    MONGODB_URI: testDatabase.uri,
    AUDIT_SIGNING_KEY: testAuditKeyPem,
    DATA_DIR: testDatabase.dataDir,
  });

  it('exits 0 on an intact log and 1 naming the event after tampering', async () => {
    const event = await createTestAuditLog().record({
      action: 'data.accessed',
      actor: { type: 'app', id: 'cli' },
      outcome: 'success',
    });
    const intact = await runProcess(['--import', 'tsx', 'src/cli/audit-verify.ts'], env());
    assert.equal(intact.code, 0, intact.output);
    assert.match(intact.output, /Audit log intact: \d+ events/);

    const original = await AuditEventModel.collection.findOne({ _id: eventId(event.seq) as never });
    await AuditEventModel.collection.updateOne(
      { _id: eventId(event.seq) as never },
      { $set: { outcome: 'failure' } },
    );
    try {
      const tampered = await runProcess(['--import', 'tsx', 'src/cli/audit-verify.ts'], env());
      assert.equal(tampered.code, 1, tampered.output);
      assert.match(tampered.output, new RegExp(`AUDIT LOG TAMPERED: altered at event ${event.seq}`));
    } finally {
      await AuditEventModel.collection.replaceOne({ _id: eventId(event.seq) as never }, original!);
    }
  });
});
