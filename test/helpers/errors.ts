import { expect } from 'vitest';
import { GatewayError } from '../../src/errors.js';

/** The GatewayError a promise rejects with (the test fails when it resolves or rejects otherwise). */
export async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}
