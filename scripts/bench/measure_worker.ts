/**
 * A bench measurement client on a thread of its own. On the main thread the measured answers
 * queued behind the load generators' own work (32 create clients kept that thread half busy)
 * and its garbage collections: the figures measured the bench as much as the server. Here the
 * clock runs in an event loop that does nothing else.
 *
 * - `reads`: GETs one path over one HTTP/2 connection, one request after another, with the lean
 *   client (lean_http2.ts: it costs a quarter of `node:http2`'s CPU per GET). Posts
 *   `"ready"` after the first answer, then measures until it receives `"stop"`, then posts the
 *   latencies (ms).
 * - `watch`: opens `watchers` watches of one namespace on one HTTP/2 connection (as an
 *   informer-heavy client multiplexes them), creates `warmup` ConfigMaps that are not counted
 *   (the first events through a new watch path run unoptimised code), then `events` more, one at
 *   a time; posts each delay from sending a create to a watcher reading its event.
 *
 * An error is posted as `{ error: message }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type http2 from "node:http2";
import type { ApiCredentials } from "../../tests/helpers/api_client.ts";
import { connectHttp2, http2Request } from "./http2.ts";
import { LeanHttp2Connection } from "./lean_http2.ts";

/** What a measurement worker is asked to do. */
export type MeasureTask =
  | { kind: "reads"; credentials: ApiCredentials; path: string }
  | {
    kind: "watch";
    credentials: ApiCredentials;
    namespace: string;
    watchers: number;
    warmup: number;
    events: number;
  };

/** Upper bound on requests, so a stop that never comes cannot grow the array without end. */
const MAX_REQUESTS = 20_000;

/** How long one watch event may take to reach every watcher before the run fails. */
const EVENT_DEADLINE_MS = 10_000;

let stopRequested = false;

self.onmessage = (message: MessageEvent<MeasureTask>) => {
  self.onmessage = () => stopRequested = true;
  const task = message.data;
  const run = task.kind === "reads" ? reads(task.credentials, task.path) : watch(task);
  run.then(
    (values) => self.postMessage(values),
    (error) => self.postMessage({ error: String(error) }),
  ).finally(() => self.close());
};

async function reads(credentials: ApiCredentials, path: string): Promise<number[]> {
  const connection = await LeanHttp2Connection.connect(credentials);
  const latencies: number[] = [];
  try {
    const first = await connection.get(path);
    if (first.status !== 200) {
      throw new Error(`GET ${path} returned ${first.status || "no status"}`);
    }
    self.postMessage("ready");
    while (!stopRequested && latencies.length < MAX_REQUESTS) {
      const t0 = performance.now();
      const { status } = await connection.get(path);
      latencies.push(performance.now() - t0);
      if (status !== 200) throw new Error(`GET ${path} returned ${status || "no status"}`);
    }
  } finally {
    connection.close();
  }
  return latencies;
}

async function watch(task: Extract<MeasureTask, { kind: "watch" }>): Promise<number[]> {
  const { credentials, namespace, watchers, warmup, events } = task;
  const base = `/api/v1/namespaces/${namespace}/configmaps`;
  const writer = connectHttp2(credentials);
  const session = connectHttp2(credentials);
  const sent = new Map<string, number>();
  const delays: number[] = [];
  let seen = 0;
  let waiting: { target: number; resolve(): void } | undefined;
  const streams: http2.ClientHttp2Stream[] = [];
  try {
    const list = await http2Request(writer, "GET", base);
    const rv = JSON.parse(list.body).metadata.resourceVersion;
    await Promise.all(
      Array.from({ length: watchers }, () =>
        new Promise<void>((resolve, reject) => {
          const stream = session.request({ ":path": `${base}?watch=true&resourceVersion=${rv}` });
          streams.push(stream);
          stream.setEncoding("utf8");
          let buffer = "";
          stream.on("data", (chunk: string) => {
            const now = performance.now();
            buffer += chunk;
            let nl;
            while ((nl = buffer.indexOf("\n")) >= 0) {
              const event = JSON.parse(buffer.slice(0, nl));
              buffer = buffer.slice(nl + 1);
              const t0 = sent.get(event.object.metadata.name);
              if (t0 !== undefined) delays.push(now - t0);
              seen++;
            }
            if (waiting && seen >= waiting.target) waiting.resolve();
          });
          stream.on("response", (headers) => {
            if (headers[":status"] === 200) resolve();
            else reject(new Error(`watch returned ${headers[":status"]}`));
          });
          stream.on("error", reject);
        })),
    );
    for (let i = 0; i < warmup + events; i++) {
      const name = `w-${i}`;
      const delivered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`event ${i} not delivered in ${EVENT_DEADLINE_MS} ms`)),
          EVENT_DEADLINE_MS,
        );
        waiting = { target: (i + 1) * watchers, resolve: () => (clearTimeout(timer), resolve()) };
      });
      if (i >= warmup) sent.set(name, performance.now());
      const created = await http2Request(writer, "POST", base, {
        metadata: { name },
        data: { i: String(i) },
      });
      if (created.status !== 201) throw new Error(`create returned ${created.status}`);
      await delivered;
    }
  } finally {
    for (const stream of streams) stream.close();
    session.close();
    writer.close();
  }
  return delays;
}
