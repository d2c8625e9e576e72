import assert from "node:assert/strict";
import { ListenerRequest, requestUrl } from "./api_request.ts";
import { MAX_BODY_BYTES, readBody } from "./http_io.ts";

const URL_ = "https://127.0.0.1:6443/api/v1/namespaces";

Deno.test("listener request headers: names are case-insensitive, inherited names are not headers", () => {
  const request = new ListenerRequest(
    "GET",
    URL_,
    { "content-type": "application/json" },
    undefined,
  );
  assert.equal(request.headers.get("Content-Type"), "application/json");
  assert.equal(request.headers.has("CONTENT-TYPE"), true);
  assert.equal(request.headers.get("accept"), null);
  assert.equal(request.headers.get("constructor"), null);
  assert.equal(request.headers.has("__proto__"), false);
  assert.equal(request.signal.aborted, false);
});

Deno.test("listener request body: readBody returns the read bytes; the stream serves any other reader", async () => {
  const bytes = new TextEncoder().encode('{"a":1}');
  assert.deepEqual(await readBody(new ListenerRequest("POST", URL_, {}, bytes)), bytes);

  const streamed = new ListenerRequest("POST", URL_, {}, bytes);
  assert.equal(streamed.bodyUsed, false);
  assert.equal(await new Response(streamed.body).text(), '{"a":1}');
  assert.equal(streamed.bodyUsed, true);

  const empty = new ListenerRequest("DELETE", URL_, {}, undefined);
  assert.equal(empty.body, null);
  assert.equal((await readBody(empty)).byteLength, 0);
});

Deno.test("listener request body: read on first ask, once; past the limit it is a 413 ApiError", async () => {
  let reads = 0;
  const bytes = new TextEncoder().encode("{}");
  const lazy = new ListenerRequest("POST", URL_, {}, () => (reads++, Promise.resolve(bytes)));
  assert.equal(reads, 0, "nothing is read before a handler asks");
  assert.deepEqual(await readBody(lazy), bytes);
  assert.deepEqual(await lazy.bytes(), bytes);
  assert.equal(reads, 1);

  const tooLarge = new ListenerRequest("POST", URL_, {}, () => Promise.resolve("too-large"));
  await assert.rejects(readBody(tooLarge), (error: Error & { code?: number }) => {
    assert.equal(error.code, 413);
    assert.match(error.message, /larger than the limit of 3145728 bytes/);
    return true;
  });
  const streamed = new ListenerRequest("POST", URL_, {}, () => Promise.resolve("too-large"));
  await assert.rejects(new Response(streamed.body).text(), /larger than the limit/);
});

Deno.test("readBody refuses a declared length over the limit, for listener and fetch requests", async () => {
  const headers = { "content-length": String(MAX_BODY_BYTES + 1) };
  await assert.rejects(
    readBody(new ListenerRequest("POST", URL_, headers, new Uint8Array(1))),
    /larger than the limit/,
  );
  await assert.rejects(
    readBody(new Request(URL_, { method: "POST", headers, body: "x" })),
    /larger than the limit/,
  );
  // A fetch Request (as tests and in-process callers pass) is read through its stream.
  assert.equal(
    new TextDecoder().decode(await readBody(new Request(URL_, { method: "POST", body: "hi" }))),
    "hi",
  );
});

Deno.test("requestUrl parses a request's URL once for all its readers", () => {
  const request = new ListenerRequest("GET", `${URL_}?watch=1`, {}, undefined);
  const url = requestUrl(request);
  assert.equal(url.pathname, "/api/v1/namespaces");
  assert.equal(url.searchParams.get("watch"), "1");
  assert.equal(requestUrl(request), url);
  assert.notEqual(requestUrl(new ListenerRequest("GET", URL_, {}, undefined)), url);
});

Deno.test("listener request methods are normalised as fetch normalises them", () => {
  assert.equal(new ListenerRequest("get", URL_, {}, undefined).method, "GET");
  assert.equal(new ListenerRequest("Delete", URL_, {}, undefined).method, "DELETE");
  // fetch leaves PATCH (and unknown methods) as sent.
  assert.equal(new ListenerRequest("patch", URL_, {}, undefined).method, "patch");
  assert.equal(new ListenerRequest("PATCH", URL_, {}, undefined).method, "PATCH");
});
