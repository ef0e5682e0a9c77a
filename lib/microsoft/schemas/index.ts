/**
 * Typed, tolerant schemas for every Microsoft payload the portal consumes, and the one way to parse them.
 * Each schema's doc comment names the Microsoft page it follows; tests/fixtures/microsoft/SOURCES.md lists the
 * example payloads that prove it.
 */
export * from "./common.ts";
export * from "./odata.ts";
export * from "./defender-xdr.ts";
export * from "./mde.ts";
export * from "./graph-security.ts";
export * from "./siem.ts";
export * from "./errors.ts";
export * from "./parse.ts";
