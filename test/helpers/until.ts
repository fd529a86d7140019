// Waiting in tests for something to happen, never for a fixed time.

/**
 * Resolves once `condition` holds, looking again every few milliseconds. It sets no time limit:
 * if the condition never comes, the test's own timeout ends it.
 */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
}
