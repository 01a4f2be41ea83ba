// Runs a task every few seconds inside the server. Runs never overlap (the next is scheduled
// when one ends), a failed run is reported and retried at the next tick, and `stop()` waits for
// a run in progress so the pool is not closed under it.

export interface Schedule {
  stop(): Promise<void>;
}

/** Runs `task` every `intervalSeconds` (0: never). */
export function repeat(
  intervalSeconds: number,
  task: () => Promise<void>,
  onError: (error: unknown) => void,
): Schedule {
  if (intervalSeconds <= 0) return { stop: async () => {} };
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = task()
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, intervalSeconds * 1000).unref();
      });
  };
  timer = setTimeout(tick, intervalSeconds * 1000).unref();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
