/**
 * usms/client: a zero-dependency client for the USMS API in its three dialects (UCloud-style signed,
 * uSpeedo action API, uSpeedo REST v1). See README.md next to this file.
 */
export { UsmsClient, type CallOptions, type UsmsClientOptions } from './client.ts';
export { UsmsApiError, UsmsRequestError, UsmsUsageError } from './errors.ts';
export { base64Utf8, flattenParams } from './flatten.ts';
export { sign, signingString } from './signature.ts';
export type * from './types.ts';
