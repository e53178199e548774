import { serialUpdates } from '../db/serial-updates.js';
import { VerificationRunModel } from './verification-run.model.js';

/** Verification runs, for the pages to follow. A run's document has one writer, the run. */
export async function startRun(id: string, startedBy: string, at = new Date()) {
  await VerificationRunModel.create({ _id: id, status: 'running', startedBy, startedAt: at });
  return {
    update: serialUpdates((set: Record<string, unknown>) =>
      VerificationRunModel.updateOne({ _id: id }, { $set: set }).exec(),
    ),
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
