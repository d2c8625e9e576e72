/**
 * Test support: a {@link ListWatch} that serves a scripted sequence of lists and watches, and
 * records what the informer asked for. Once the script runs out, a watch stays open (delivering
 * nothing) until the informer stops.
 *
 * @module
 */
import type { ListResult, ListWatch, WatchEvent } from "../client/list_watch.ts";
import type { KubeObject } from "../types.ts";

/** One scripted watch: the events it delivers, then how it ends. */
export interface ScriptedWatch {
  events: WatchEvent[];
  /** Thrown after the events; the watch just ends when absent. */
  error?: Error;
}

/** A scripted {@link ListWatch} and what it was asked. */
export interface FakeListWatch extends ListWatch {
  /** The resourceVersion of every watch started so far. */
  readonly watchedFrom: string[];
  /** How many lists were served. */
  readonly lists: number;
}

/** A ConfigMap-like object with a name and resourceVersion. */
export function object(name: string, resourceVersion: string): KubeObject {
  return { metadata: { name, namespace: "ns", resourceVersion } };
}

/**
 * @param lists What each list returns in turn (the last one repeats); an Error is thrown.
 * @param watches What each watch does in turn.
 */
export function fakeListWatch(
  lists: (ListResult | Error)[],
  watches: ScriptedWatch[],
): FakeListWatch {
  const watchedFrom: string[] = [];
  let listed = 0;
  return {
    name: "fake",
    watchedFrom,
    get lists() {
      return listed;
    },
    list(): Promise<ListResult> {
      const result = lists[Math.min(listed++, lists.length - 1)];
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
    async *watch(resourceVersion: string, signal: AbortSignal): AsyncGenerator<WatchEvent> {
      watchedFrom.push(resourceVersion);
      const script = watches.shift();
      if (!script) {
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        return;
      }
      yield* script.events;
      if (script.error) throw script.error;
    },
  };
}
