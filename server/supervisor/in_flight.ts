/**
 * The Kubernetes max-in-flight filter as K3s puts it in front of the agent routes: at most N
 * concurrent read-only and M concurrent mutating requests; the rest get 429 at once with
 * `Retry-After: 1`, and agents retry with jitter. This caps how many agents join at a time
 * (each join hashes a node password with scrypt and signs certificates).
 *
 * @module
 */
import type { RequestUser } from "../apiserver/store_types.ts";
import type { ApiRequest } from "../apiserver/api_request.ts";

/** K3s's limits for the agent routes. */
export const AGENT_IN_FLIGHT_LIMITS = { read: 20, mutating: 10 } as const;

/** Concurrency limits. */
export interface InFlightLimits {
  /** GET and HEAD. */
  read: number;
  /** Everything else (certificate requests are POSTs). */
  mutating: number;
}

/** A request slot; call it when the response is ready. */
export type ReleaseSlot = () => void;

/** Counts requests in flight per kind. */
export interface InFlightLimiter {
  /**
   * Takes a slot for a request.
   *
   * @returns The release function, or undefined when the limit is reached (answer 429).
   */
  tryAcquire(request: ApiRequest, user: RequestUser | undefined): ReleaseSlot | undefined;
  /** Requests in flight now, per kind (for tests and metrics). */
  inFlight(): { read: number; mutating: number };
}

/**
 * Creates a limiter. `system:masters` users are never limited, as upstream.
 *
 * @param limits The concurrency limits; K3s's agent limits when omitted.
 * @returns The limiter.
 */
export function createInFlightLimiter(
  limits: InFlightLimits = AGENT_IN_FLIGHT_LIMITS,
): InFlightLimiter {
  const current = { read: 0, mutating: 0 };
  return {
    tryAcquire(request, user) {
      if (user?.groups.includes("system:masters")) return () => {};
      const kind = request.method === "GET" || request.method === "HEAD" ? "read" : "mutating";
      if (current[kind] >= limits[kind]) return undefined;
      current[kind]++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        current[kind]--;
      };
    },
    inFlight: () => ({ ...current }),
  };
}

/**
 * Upstream's answer when the limit is reached.
 *
 * @returns 429 with `Retry-After: 1` and upstream's text.
 */
export function tooManyRequests(): Response {
  return new Response("Too many requests, please try again later.\n", {
    status: 429,
    headers: {
      "content-type": "text/plain; charset=utf-8",
      "x-content-type-options": "nosniff",
      "retry-after": "1",
    },
  });
}
