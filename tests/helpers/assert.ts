/**
 * Assertions in Deno std's shape over `node:assert` (deno std is not reachable here).
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Throws unless `condition` is truthy. */
export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}

/** Deep, strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** `actual` matches `pattern`. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  nodeAssert.match(actual, pattern, message);
}

/** `actual` contains `expected`, showing the whole text when it does not. */
export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (!actual.includes(expected)) {
    throw new nodeAssert.AssertionError({
      message: message ??
        `expected the text to include ${JSON.stringify(expected)}; it was:\n${actual}`,
      actual,
      expected,
      operator: "includes",
    });
  }
}

/**
 * `fn` throws an instance of `errorClass` whose message includes `messageIncludes`.
 * @returns the error, for further checks.
 */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any -- any constructor of E, whatever its parameters
  errorClass: new (...args: any[]) => E,
  messageIncludes = "",
): E {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof errorClass)) {
      throw new nodeAssert.AssertionError({
        message: `expected a ${errorClass.name}, got: ${error}`,
      });
    }
    assertStringIncludes(error.message, messageIncludes);
    return error;
  }
  throw new nodeAssert.AssertionError({
    message: `expected a ${errorClass.name}; nothing was thrown`,
  });
}
