/**
 * Updates of a document with a single writer, applied one at a time in the order asked:
 * updates are read-modify-write on the embedded database, so a progress update still in
 * flight could otherwise put back an older state over the final one (docs/storage.md,
 * "single writers"). A failed update does not stop the ones after it.
 */
export function serialUpdates<T>(apply: (set: T) => PromiseLike<unknown>) {
  let written: Promise<unknown> = Promise.resolve();
  return (set: T): Promise<unknown> => {
    written = written.catch(() => undefined).then(() => apply(set));
    return written;
  };
}
