/**
 * Python `http.HTTPStatus` member names → codes. Synapse v0.33.3–v1.51 sometimes logged the status as
 * `HTTPStatus.OK` instead of `200` (spec §2.7, fixed by PR #11827). Names from CPython 3.6–3.13,
 * including the 3.13 renames (CONTENT_TOO_LARGE, …) next to the old names.
 */
const HTTP_STATUS_CODES: ReadonlyMap<string, number> = new Map<string, number>([
  ['CONTINUE', 100],
  ['SWITCHING_PROTOCOLS', 101],
  ['PROCESSING', 102],
  ['EARLY_HINTS', 103],
  ['OK', 200],
  ['CREATED', 201],
  ['ACCEPTED', 202],
  ['NON_AUTHORITATIVE_INFORMATION', 203],
  ['NO_CONTENT', 204],
  ['RESET_CONTENT', 205],
  ['PARTIAL_CONTENT', 206],
  ['MULTI_STATUS', 207],
  ['ALREADY_REPORTED', 208],
  ['IM_USED', 226],
  ['MULTIPLE_CHOICES', 300],
  ['MOVED_PERMANENTLY', 301],
  ['FOUND', 302],
  ['SEE_OTHER', 303],
  ['NOT_MODIFIED', 304],
  ['USE_PROXY', 305],
  ['TEMPORARY_REDIRECT', 307],
  ['PERMANENT_REDIRECT', 308],
  ['BAD_REQUEST', 400],
  ['UNAUTHORIZED', 401],
  ['PAYMENT_REQUIRED', 402],
  ['FORBIDDEN', 403],
  ['NOT_FOUND', 404],
  ['METHOD_NOT_ALLOWED', 405],
  ['NOT_ACCEPTABLE', 406],
  ['PROXY_AUTHENTICATION_REQUIRED', 407],
  ['REQUEST_TIMEOUT', 408],
  ['CONFLICT', 409],
  ['GONE', 410],
  ['LENGTH_REQUIRED', 411],
  ['PRECONDITION_FAILED', 412],
  ['REQUEST_ENTITY_TOO_LARGE', 413],
  ['CONTENT_TOO_LARGE', 413],
  ['REQUEST_URI_TOO_LONG', 414],
  ['URI_TOO_LONG', 414],
  ['UNSUPPORTED_MEDIA_TYPE', 415],
  ['REQUESTED_RANGE_NOT_SATISFIABLE', 416],
  ['RANGE_NOT_SATISFIABLE', 416],
  ['EXPECTATION_FAILED', 417],
  ['IM_A_TEAPOT', 418],
  ['MISDIRECTED_REQUEST', 421],
  ['UNPROCESSABLE_ENTITY', 422],
  ['UNPROCESSABLE_CONTENT', 422],
  ['LOCKED', 423],
  ['FAILED_DEPENDENCY', 424],
  ['TOO_EARLY', 425],
  ['UPGRADE_REQUIRED', 426],
  ['PRECONDITION_REQUIRED', 428],
  ['TOO_MANY_REQUESTS', 429],
  ['REQUEST_HEADER_FIELDS_TOO_LARGE', 431],
  ['UNAVAILABLE_FOR_LEGAL_REASONS', 451],
  ['INTERNAL_SERVER_ERROR', 500],
  ['NOT_IMPLEMENTED', 501],
  ['BAD_GATEWAY', 502],
  ['SERVICE_UNAVAILABLE', 503],
  ['GATEWAY_TIMEOUT', 504],
  ['HTTP_VERSION_NOT_SUPPORTED', 505],
  ['VARIANT_ALSO_NEGOTIATES', 506],
  ['INSUFFICIENT_STORAGE', 507],
  ['LOOP_DETECTED', 508],
  ['NOT_EXTENDED', 510],
  ['NETWORK_AUTHENTICATION_REQUIRED', 511],
]);

/**
 * Numeric status of the status text of a Processed line: `200` → 200, `HTTPStatus.OK` → 200,
 * anything else → null.
 */
export function statusCode(text: string): number | null {
  const n = text.length;
  if (n > 0 && n <= 3) {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
      v = v * 10 + c;
    }
    return v;
  }
  if (text.startsWith('HTTPStatus.')) return HTTP_STATUS_CODES.get(text.slice(11)) ?? null;
  return null;
}
