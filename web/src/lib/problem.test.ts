import { describe, expect, it } from "vitest";
import { ApiError, asProblem, describeError, fieldErrorsOf, problemCode } from "./problem";

const fallbacks = { generic: "Generic", network: "Network", http: (status: number) => `HTTP ${status}` };

describe("describeError", () => {
  it("uses the problem's title and detail of an API error", () => {
    const error = new ApiError(409, { type: "/problems/email-taken", title: "E-mail taken", status: 409, detail: "Use another." });
    expect(describeError(error, fallbacks)).toEqual({ title: "E-mail taken", detail: "Use another." });
  });

  it("names the HTTP status when an API error has no problem body", () => {
    expect(describeError(new ApiError(502, "<html>bad gateway</html>"), fallbacks)).toEqual({ title: "HTTP 502", detail: null });
  });

  it("says the server is unreachable when fetch failed", () => {
    expect(describeError(new TypeError("Failed to fetch"), fallbacks)).toEqual({ title: "Network", detail: "Failed to fetch" });
  });

  it("falls back to the generic title with the message of any other Error", () => {
    expect(describeError(new Error("boom"), fallbacks)).toEqual({ title: "Generic", detail: "boom" });
  });

  it("is never blank, whatever was thrown", () => {
    for (const thrown of [undefined, null, 42, {}, { title: "" }, new Error(""), ""]) {
      expect(describeError(thrown, fallbacks).title.length).toBeGreaterThan(0);
    }
  });

  it("accepts a bare problem object", () => {
    expect(describeError({ title: "Not found", detail: "No such order." }, fallbacks)).toEqual({ title: "Not found", detail: "No such order." });
  });
});

describe("ApiError", () => {
  it("exposes the problem slug from its type", () => {
    expect(new ApiError(403, { type: "/problems/totp-enrolment-required", title: "x" }).slug).toBe("totp-enrolment-required");
  });

  it("keeps the problem's extra fields", () => {
    expect(asProblem({ title: "t", enrolment_token: "abc" })?.enrolment_token).toBe("abc");
  });
});

describe("problem codes and field errors", () => {
  it("takes the code from `code`, else from the slug of `type`", () => {
    expect(problemCode({ title: "t", code: "rate-limited", type: "/problems/other" })).toBe("rate-limited");
    expect(problemCode({ title: "t", type: "/problems/email-taken" })).toBe("email-taken");
    expect(problemCode({ title: "t" })).toBeNull();
  });

  it("translates a known code and falls back to the server's text for an unknown one", () => {
    const translate = (code: string) => (code === "login-failed" ? { title: "Anmeldung fehlgeschlagen", detail: null } : null);
    const known = new ApiError(401, { type: "/problems/login-failed", code: "login-failed", title: "Login failed", detail: "Wrong." });
    const unknown = new ApiError(409, { code: "brand-new", title: "Brand new", detail: "Said by the server." });
    expect(describeError(known, { ...fallbacks, translate })).toEqual({ title: "Anmeldung fehlgeschlagen", detail: null });
    expect(describeError(unknown, { ...fallbacks, translate })).toEqual({ title: "Brand new", detail: "Said by the server." });
  });

  it("reads the field errors and drops malformed entries", () => {
    const error = new ApiError(422, {
      title: "Invalid request",
      errors: [
        { field: "company_name", code: "string_too_short", message: "too short", params: { min_length: 2 } },
        { field: "email", code: "missing", message: "Field required" },
        { code: "no-field" },
        "junk",
      ],
    });
    expect(fieldErrorsOf(error)).toEqual([
      { field: "company_name", code: "string_too_short", message: "too short", params: { min_length: 2 } },
      { field: "email", code: "missing", message: "Field required", params: {} },
    ]);
    expect(fieldErrorsOf(new Error("x"))).toEqual([]);
  });
});
