/**
 * Preloaded into every test file by test/run.ts. uvu's runner returns from a `finally`, which throws
 * away an error raised in a before/after hook: the file then shows "(0 / N)" with no reason. This
 * wraps the hooks of the default suite so such an error is printed before uvu swallows it.
 */
import { test } from 'uvu';

type Hook = (state: Record<string, unknown>) => unknown;
type Register = ((handler: Hook) => void) & { each: (handler: Hook) => void };

function reporting(which: string, handler: Hook): Hook {
  return async (state) => {
    try {
      return await handler(state);
    } catch (error) {
      console.error(`[${which} hook failed]`, error);
      throw error;
    }
  };
}

const suite = test as unknown as { before: Register; after: Register };
for (const which of ['before', 'after'] as const) {
  const register = suite[which];
  const wrapped = ((handler: Hook) => register(reporting(which, handler))) as Register;
  wrapped.each = (handler: Hook) => register.each(reporting(`${which}.each`, handler));
  suite[which] = wrapped;
}
