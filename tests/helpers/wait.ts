/**
 * Waiting for a condition with a deadline, instead of sleeping and hoping.
 *
 * @module
 */

/**
 * Polls `check` until it returns a value other than undefined/false, or the deadline passes.
 * @throws {Error} naming `what` when the deadline passes.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 200);
  }
}

/** Reads lines from a stream until one satisfies `match`; returns all lines read. */
export async function readLinesUntil(
  reader: ReadableStreamDefaultReader<string>,
  match: (line: string) => boolean,
  timeoutMs = 10_000,
): Promise<string[]> {
  const lines: string[] = [];
  let buffer = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no matching line within ${timeoutMs} ms; saw: ${lines.join(" | ")}`)),
      timeoutMs,
    );
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), timedOut]);
      if (done) throw new Error(`stream ended before a matching line; saw: ${lines.join(" | ")}`);
      buffer += value;
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        lines.push(line);
        if (match(line)) return lines;
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Settles as `promise` does, or rejects with `message` once `ms` have passed: for steps that
 * should fail rather than hang when what they wait on never comes.
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  message: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
