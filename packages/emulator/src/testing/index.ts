/**
 * Test support that ships with the emulator: a scripted browser that trusts exactly the emulator's
 * certificate, plain clients of the emulated Defender and Graph APIs with tokens minted through the
 * control face, self-signed TLS material for tests that need a certificate of their own, and checked
 * reads of list positions (`itemAt`, `lastItem`).
 */
export { TestBrowser, type Page, type RequestOptions } from './browser';
export { DefenderCaller, defenderToken, type ApiResponse, type CallOptions, type ErrorBody } from './defenderTokens';
export { GraphCaller, graphToken, type GraphErrorBody } from './graph';
export { generateTls, type TlsMaterial } from '../tls';
export { itemAt, lastItem } from '../lists';
