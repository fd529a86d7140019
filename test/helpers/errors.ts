import { expect } from 'vitest';
import { extensionsOf } from '../../src/schema/errors.js';
import { GatewayError } from '../../src/shared/errors.js';
import { WireFormatError } from '../../src/upstreams/wire-error.js';

/** The GatewayError a promise rejects with (the test fails when it resolves or rejects otherwise). */
export async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GatewayError);
  return err as GatewayError;
}

/** Runs fn, expects a WireFormatError, and returns its message. */
export function wireError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WireFormatError);
    return (err as Error).message;
  }
  throw new Error('expected a WireFormatError, got none');
}

/** What a client would see of an error in `extensions` (code, upstream and details). */
export const extensions = (err: GatewayError): Record<string, any> => extensionsOf(err);
