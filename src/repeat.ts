/**
 * Runs `work` every `intervalMs`, skipping a tick while the previous run is still going: a
 * round that outlasts the interval (a burst of work, a slow database) must never be joined
 * by a second one doing the same work at once.
 */
export function repeatUnlessBusy(intervalMs: number, work: () => Promise<unknown>) {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    running ??= work().finally(() => (running = undefined));
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
