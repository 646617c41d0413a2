// Slots for requests in flight: a counter and the senders waiting for one (no Promise.race over
// every request in flight, which costs O(concurrency) per request), and a wake-up for whoever
// waits for the run to change (a request settled, a retry sent).

export interface RequestSlots {
  /** Resolves once a slot is free, and takes it. */
  take(): Promise<void>;
  /** Gives a slot back (wakes the next waiting sender and the change waiter). */
  free(): void;
  /** Requests in flight. */
  active(): number;
  /** Wakes the one waiting for a change, if any. */
  changed(): void;
  /** Resolves at the next change. */
  nextChange(): Promise<void>;
}

export function createRequestSlots(concurrency: number): RequestSlots {
  let active = 0;
  const waiters: (() => void)[] = [];
  let onChange: (() => void) | undefined;
  const changed = (): void => {
    const wake = onChange;
    onChange = undefined;
    wake?.();
  };
  return {
    async take() {
      while (active >= concurrency) await new Promise<void>((resolve) => waiters.push(resolve));
      active++;
    },
    free() {
      active--;
      waiters.shift()?.();
      changed();
    },
    active: () => active,
    changed,
    nextChange: () =>
      new Promise<void>((resolve) => {
        onChange = resolve;
      }),
  };
}
