/*
 * Who may open a WebSocket (and fetch the routes that ask for it): an optional shared token and an
 * optional list of allowed browser origins.
 */
import type { HttpRequest } from "http/request-parser";
import { type HttpReply, textReply } from "http/response";

export interface AccessOptions {
  /**
   * When not empty, WebSocket upgrades (and routes that require it) need this token, as
   * `Authorization: Bearer <token>` or as `?token=<token>` (a browser's WebSocket API cannot set
   * headers). Missing or wrong → 401 with `WWW-Authenticate: Bearer`.
   */
  token: string;
  /**
   * When not empty, the Origin header values allowed to open a WebSocket; another → 403. A request
   * without Origin comes from a non-browser client, which could send any Origin anyway: the check
   * protects users' browsers from other sites' pages, it does not authenticate.
   */
  origins: readonly string[];
}

const HOW_TO_PASS = "send it as an Authorization: Bearer <token> header or as ?token=<token>";

/**
 * What an upgrade must pass before it takes a client slot: the origin first, so that a page from a
 * foreign origin gets 403 whatever token it tries and cannot learn whether a guess was right.
 */
export function checkAccess(request: HttpRequest, options: AccessOptions): HttpReply | undefined {
  return checkOrigin(request, options.origins) ?? checkToken(request, options.token);
}

/** undefined when `origins` is empty, the request has no Origin, or its Origin is listed. */
export function checkOrigin(
  request: HttpRequest,
  origins: readonly string[],
): HttpReply | undefined {
  const origin = request.headers.get("origin");
  if (origins.length === 0 || origin === undefined) return undefined;
  // Scheme and host are case-insensitive; browsers send them in lower case.
  const wanted = origin.toLowerCase();
  if (!request.repeated.has("origin") && origins.some((o) => o.toLowerCase() === wanted))
    return undefined;
  return textReply(403, `origin ${origin} is not allowed to open a WebSocket here`);
}

/** undefined when `token` is empty or the request carries it. */
export function checkToken(request: HttpRequest, token: string): HttpReply | undefined {
  if (token.length === 0) return undefined;
  const given = requestToken(request);
  if (given === undefined)
    return unauthorized(`missing token: ${HOW_TO_PASS}`, [["WWW-Authenticate", "Bearer"]]);
  if (!sameToken(given, token))
    return unauthorized(`invalid token: ${HOW_TO_PASS}`, [
      ["WWW-Authenticate", 'Bearer error="invalid_token"'],
    ]);
  return undefined;
}

/**
 * The token a request carries: the credentials of an `Authorization: Bearer` header (RFC 6750
 * section 2.1), else the first `token` parameter of the query string, percent-decoded ("+" is
 * kept as it is). null for a parameter that is not valid percent-encoding (never a match);
 * undefined when there is none.
 */
export function requestToken(request: HttpRequest): string | null | undefined {
  const authorization = request.headers.get("authorization");
  if (authorization !== undefined && authorization.slice(0, 7).toLowerCase() === "bearer ")
    return request.repeated.has("authorization") ? null : authorization.slice(7).trim();
  const query = request.target.indexOf("?");
  if (query < 0) return undefined;
  for (const parameter of request.target.slice(query + 1).split("&")) {
    const equals = parameter.indexOf("=");
    if (equals < 0 || parameter.slice(0, equals) !== "token") continue;
    try {
      return decodeURIComponent(parameter.slice(equals + 1));
    } catch {
      return null;
    }
  }
  return undefined;
}

/**
 * Compares in a time that depends only on the expected token's length: every character of
 * `expected` is compared whatever differs before it, and a length difference is folded into the
 * result instead of ending the loop early. null (an unreadable token) never matches.
 */
export function sameToken(given: string | null, expected: string): boolean {
  const text = given ?? "";
  let difference = text.length ^ expected.length;
  if (given === null) difference |= 1;
  for (let i = 0; i < expected.length; i++) {
    // Past the end of `text`, charCodeAt gives NaN, which `| 0` makes 0: no branch on it.
    difference |= (text.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  }
  return difference === 0;
}

function unauthorized(message: string, headers: [string, string][]): HttpReply {
  return textReply(401, message, headers);
}
