/**
 * Loads `@peculiar/x509` on first use: importing it costs ~190 ms, which a restart that reuses
 * every certificate should not pay. The package imports `reflect-metadata` itself, so nothing
 * else has to be loaded first under Deno.
 *
 * @module
 */

/** The `@peculiar/x509` module namespace. */
export type X509Module = typeof import("@peculiar/x509");

let loading: Promise<X509Module> | undefined;

/**
 * The `@peculiar/x509` module, with WebCrypto installed as its crypto provider.
 *
 * @returns The module namespace.
 */
export function loadX509(): Promise<X509Module> {
  loading ??= import("@peculiar/x509").then((x509) => {
    x509.cryptoProvider.set(crypto);
    return x509;
  });
  return loading;
}
