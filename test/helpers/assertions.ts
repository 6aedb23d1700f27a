/** Assertions uvu lacks. */
import * as assert from 'uvu/assert';

/** Awaits the promise and asserts it rejects with a message matching `pattern`; returns the error. */
export async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.match((error as Error).message, pattern);
    return error as Error;
  }
  assert.unreachable(`expected a rejection matching ${pattern}`);
  throw new Error('unreachable');
}
