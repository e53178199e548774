import { VerificationRunModel } from './verification-run.model.js';

/**
 * Verification runs, for the pages to follow. A run's document has one writer (the run),
 * and its updates go one at a time: updates are read-modify-write on the embedded
 * database, so a progress update still in flight could put back `running` over the final
 * status (docs/storage.md, "single writers").
 */
export async function startRun(id: string, startedBy: string, at = new Date()) {
  await VerificationRunModel.create({ _id: id, status: 'running', startedBy, startedAt: at });
  let written: Promise<unknown> = Promise.resolve();
  return {
    update(set: Record<string, unknown>): Promise<unknown> {
      written = written
        .catch(() => undefined)
        .then(() => VerificationRunModel.updateOne({ _id: id }, { $set: set }).exec());
      return written;
    },
  };
}

export async function findRun(id: string) {
  return VerificationRunModel.findById(id).lean();
}

/** The latest runs, newest first. The collection holds one document per run started from the pages: small. */
export async function recentRuns(limit: number) {
  const runs = await VerificationRunModel.find({}).lean();
  return runs.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime()).slice(0, limit);
}
