// Unit tests of the firmware's access checks (token, origins), compiled.
import { expect } from "chai";
import { firmwareModule } from "./firmware-modules.js";

const { checkAccess, checkOrigin, checkToken, requestToken, sameToken } =
  await firmwareModule("http/access");

function request(target, headers = {}, repeated = []) {
  return {
    method: "GET",
    target,
    version: "HTTP/1.1",
    headers: new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
    repeated: new Set(repeated),
  };
}

describe("firmware access checks", () => {
  it("compares tokens: equal, different, prefix, longer, empty, unreadable", () => {
    expect(sameToken("secret", "secret")).to.equal(true);
    expect(sameToken("secreT", "secret")).to.equal(false);
    expect(sameToken("secre", "secret")).to.equal(false);
    expect(sameToken("secrets", "secret")).to.equal(false);
    expect(sameToken("", "secret")).to.equal(false);
    expect(sameToken(null, "secret")).to.equal(false);
    // A shorter token padded with NUL characters is still a different token.
    expect(sameToken("secret", "secret\0")).to.equal(false);
    expect(sameToken("secret\0", "secret")).to.equal(false);
  });

  it("reads the token from Authorization: Bearer, else from ?token= (percent-decoded)", () => {
    expect(requestToken(request("/ws", { authorization: "Bearer abc" }))).to.equal("abc");
    expect(requestToken(request("/ws", { authorization: "bearer  abc" }))).to.equal("abc");
    expect(requestToken(request("/ws?token=abc"))).to.equal("abc");
    expect(requestToken(request("/ws?x=1&token=a%20b%2B%26c+d"))).to.equal("a b+&c+d");
    expect(requestToken(request("/ws?token=%E2%82%AC"))).to.equal("€");
    expect(requestToken(request("/ws?token=%zz"))).to.equal(null);
    expect(requestToken(request("/ws?tokens=abc&xtoken=abc"))).to.equal(undefined);
    expect(requestToken(request("/ws?token=first&token=second"))).to.equal("first");
    expect(requestToken(request("/ws"))).to.equal(undefined);
    // The header wins over the query; another scheme is no token.
    expect(requestToken(request("/ws?token=q", { authorization: "Bearer h" }))).to.equal("h");
    expect(requestToken(request("/ws", { authorization: "Basic abc" }))).to.equal(undefined);
    const twice = request("/ws", { authorization: "Bearer a, Bearer b" }, ["authorization"]);
    expect(requestToken(twice)).to.equal(null);
  });

  it("answers 401 for a missing or wrong token, with WWW-Authenticate", () => {
    expect(checkToken(request("/ws"), "")).to.equal(undefined);
    expect(checkToken(request("/ws?token=secret"), "secret")).to.equal(undefined);
    const missing = checkToken(request("/ws"), "secret");
    expect(missing.status).to.equal(401);
    expect(missing.body).to.match(/^missing token/);
    expect(missing.headers).to.deep.equal([["WWW-Authenticate", "Bearer"]]);
    const wrong = checkToken(request("/ws", { authorization: "Bearer nope" }), "secret");
    expect(wrong.status).to.equal(401);
    expect(wrong.body).to.match(/^invalid token/);
    expect(wrong.headers[0][1]).to.match(/^Bearer /);
    expect(checkToken(request("/ws?token=%zz"), "secret").body).to.match(/^invalid token/);
  });

  it("answers 403 for an Origin not listed; no Origin or no list passes", () => {
    const origins = ["http://allowed.example", "https://other.example:8443"];
    expect(checkOrigin(request("/ws"), origins)).to.equal(undefined);
    expect(checkOrigin(request("/ws", { origin: "http://evil.example" }), [])).to.equal(undefined);
    expect(checkOrigin(request("/ws", { origin: "http://allowed.example" }), origins)).to.equal(
      undefined,
    );
    expect(checkOrigin(request("/ws", { origin: "HTTP://Allowed.Example" }), origins)).to.equal(
      undefined,
    );
    for (const origin of ["http://evil.example", "http://allowed.example:81", "null"]) {
      expect(checkOrigin(request("/ws", { origin }), origins)?.status, origin).to.equal(403);
    }
    const twice = request("/ws", { origin: "http://allowed.example, http://evil.example" }, [
      "origin",
    ]);
    expect(checkOrigin(twice, origins)?.status).to.equal(403);
  });

  it("checks the origin before the token", () => {
    const options = { token: "secret", origins: ["http://allowed.example"] };
    const foreign = request("/ws?token=secret", { origin: "http://evil.example" });
    expect(checkAccess(foreign, options)?.status).to.equal(403);
    expect(
      checkAccess(request("/ws", { origin: "http://evil.example" }), options)?.status,
    ).to.equal(403);
    expect(
      checkAccess(request("/ws", { origin: "http://allowed.example" }), options)?.status,
    ).to.equal(401);
    expect(checkAccess(request("/ws?token=secret"), options)).to.equal(undefined);
    expect(checkAccess(request("/ws"), { token: "", origins: [] })).to.equal(undefined);
  });
});
