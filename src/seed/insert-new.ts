import type { Collection, Document } from 'mongodb';

/**
 * Inserts documents, skipping those whose unique key already exists, so that seeding
 * twice changes nothing. Any other write error is raised.
 */
export async function insertNew<T extends Document>(collection: Collection<T>, docs: T[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    const result = await collection.insertMany(docs as never[], { ordered: false });
    return result.insertedCount;
  } catch (error) {
    const bulk = error as {
      code?: number;
      writeErrors?: { code: number }[] | { code: number };
      insertedCount?: number;
    };
    const writeErrors = Array.isArray(bulk.writeErrors)
      ? bulk.writeErrors
      : bulk.writeErrors
        ? [bulk.writeErrors]
        : [];
    const onlyDuplicates =
      writeErrors.length > 0 ? writeErrors.every((e) => e.code === 11000) : bulk.code === 11000;
    if (!onlyDuplicates) throw error;
    return bulk.insertedCount ?? docs.length - writeErrors.length;
  }
}
