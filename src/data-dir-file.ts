import { randomUUID } from 'node:crypto';
import { link, readFile, unlink, writeFile } from 'node:fs/promises';

const codeOf = (error: unknown) => (error as { code?: string }).code;

/**
 * A file of DATA_DIR (a generated key or secret), read if it exists, else created with
 * `create()`. It is written whole to a file of its own, then linked into place: atomic,
 * and refused if another process got there first, whose file is then read. Two processes
 * starting together on one DATA_DIR never read it half written (creating it in place and
 * writing into it let one process read an empty key and stop).
 */
export async function readOrCreateFile(file: string, create: () => string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
  const draft = `${file}.${randomUUID()}.tmp`;
  await writeFile(draft, create(), { mode: 0o600 });
  try {
    await link(draft, file);
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
  return readFile(file, 'utf8');
}
