import assert from 'node:assert/strict';
import { MongoUnexpectedServerResponseError } from 'mongodb';
import mongoose, { Schema } from 'mongoose';

/** A model of its own on the real test database, so that stubbing it touches nothing else. */
const Probe = mongoose.model('RereadProbe', new Schema({ _id: String, n: Number }), 'reread_probes');

/** Makes the model's collection answer `method` unreadably the first `times` calls, as the embedded engine once did. */
function unreadableFirst(method: 'findOne' | 'find' | 'updateOne', times: number) {
  const collection = Probe.collection as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = collection[method]!;
  const calls = { count: 0 };
  collection[method] = function (this: unknown, ...args: unknown[]) {
    calls.count++;
    if (calls.count <= times)
      throw new MongoUnexpectedServerResponseError('BSON element "cursor" is missing');
    return original.apply(this, args);
  };
  return { calls, restore: () => void (collection[method] = original) };
}

describe('reading again after an answer the driver cannot read', () => {
  before(async () => {
    await Probe.create([
      { _id: 'p1', n: 1 },
      { _id: 'p2', n: 2 },
    ]);
  });

  it('a read that meets one is sent again and answers as if nothing had happened', async () => {
    const stub = unreadableFirst('findOne', 2);
    try {
      assert.equal((await Probe.findById('p1').lean())?.n, 1);
      assert.equal(stub.calls.count, 3, 'two unreadable answers, then the answer');
    } finally {
      stub.restore();
    }
    const list = unreadableFirst('find', 1);
    try {
      assert.deepEqual(
        (await Probe.find({}).sort({ _id: 1 }).lean()).map((p) => p.n),
        [1, 2],
      );
    } finally {
      list.restore();
    }
  });

  it('gives up after three more tries, so a request is answered 503 rather than waiting on', async () => {
    const stub = unreadableFirst('findOne', 10);
    try {
      await assert.rejects(Probe.findById('p1').lean(), MongoUnexpectedServerResponseError);
      assert.equal(stub.calls.count, 4);
    } finally {
      stub.restore();
    }
  });

  it('never sends a write again: whether it took effect is not known', async () => {
    const stub = unreadableFirst('updateOne', 1);
    try {
      await assert.rejects(
        Probe.updateOne({ _id: 'p2' }, { $inc: { n: 1 } }),
        MongoUnexpectedServerResponseError,
      );
      assert.equal(stub.calls.count, 1);
    } finally {
      stub.restore();
    }
    assert.equal((await Probe.findById('p2').lean())?.n, 2);
  });
});
