/** Runs at most `max` tasks at once; the rest wait their turn in order. */
export function createLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so `active` never overshoots.
    if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const waiter = queue.shift();
      if (waiter) waiter();
      else active--;
    }
  };
}
