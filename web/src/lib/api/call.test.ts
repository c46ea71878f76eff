import { describe, expect, it } from "vitest";
import { ApiError } from "../problem";
import { callApi, fetchFile, filenameFromDisposition } from "./call";
import { createApiClient } from "./client";

function clientAnswering(answer: (request: Request) => Response) {
  const requests: Request[] = [];
  const api = createApiClient({
    baseUrl: "http://portal.test",
    accessToken: () => "token",
    fetch: async (request) => {
      requests.push(request.clone());
      return answer(request);
    },
  });
  return { api, requests };
}

describe("filenameFromDisposition", () => {
  it.each([
    ['attachment; filename="AOS-2026-000123.pdf"', "AOS-2026-000123.pdf"],
    ["attachment; filename=usage.csv", "usage.csv"],
    [`attachment; filename="x.csv"; filename*=UTF-8''Nutzung%20M%C3%A4rz.csv`, "Nutzung März.csv"],
    ['attachment; filename="../../etc/passwd"', "passwd"],
    ['attachment; filename=".."', null],
    ["attachment", null],
    [null, null],
  ])("reads %j as %j", (header, expected) => {
    expect(filenameFromDisposition(header)).toBe(expected);
  });
});

describe("callApi", () => {
  it("sends the body, the query without undefined values, the headers, the token and the CSRF header", async () => {
    const { api, requests } = clientAnswering(() => new Response(JSON.stringify({ ok: 1 }), { headers: { "content-type": "application/json" } }));
    const answer = await callApi<{ ok: number }>(api, "POST", "/api/billing/checkout", { body: { a: 1 }, query: { limit: 5, kind: undefined }, headers: { "Idempotency-Key": "k1" } });
    expect(answer).toEqual({ ok: 1 });
    const request = requests[0]!;
    expect(new URL(request.url).search).toBe("?limit=5");
    expect(request.headers.get("Idempotency-Key")).toBe("k1");
    expect(request.headers.get("Authorization")).toBe("Bearer token");
    expect(request.headers.get("X-AOS-CSRF")).toBe("1");
    expect(await request.json()).toEqual({ a: 1 });
  });

  it("throws the problem of an error answer", async () => {
    const { api } = clientAnswering(
      () => new Response(JSON.stringify({ type: "/problems/out-of-stock", title: "Out of stock", status: 409 }), { status: 409, headers: { "content-type": "application/problem+json" } }),
    );
    const error = await callApi(api, "POST", "/api/billing/checkout").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).slug).toBe("out-of-stock");
  });
});

describe("fetchFile", () => {
  it("names the file as the answer's Content-Disposition says", async () => {
    const { api } = clientAnswering(() => new Response("day,air\n", { headers: { "content-type": "text/csv", "content-disposition": 'attachment; filename="usage-2026-03.csv"' } }));
    const file = await fetchFile(api, "/api/billing/usage.csv", { fallbackName: "usage.csv" });
    expect(file.filename).toBe("usage-2026-03.csv");
    expect(await file.blob.text()).toBe("day,air\n");
  });

  it("falls back to the given name without a Content-Disposition", async () => {
    const { api } = clientAnswering(() => new Response("%PDF-1.7", { headers: { "content-type": "application/pdf" } }));
    expect((await fetchFile(api, "/api/billing/invoices/1/pdf", { fallbackName: "AOS-2026-000001.pdf" })).filename).toBe("AOS-2026-000001.pdf");
  });

  it("throws the problem when the file is refused", async () => {
    const { api } = clientAnswering(() => new Response(JSON.stringify({ type: "/problems/role-forbidden", title: "Forbidden", status: 403 }), { status: 403, headers: { "content-type": "application/problem+json" } }));
    await expect(fetchFile(api, "/api/billing/usage.csv", { fallbackName: "u.csv" })).rejects.toMatchObject({ status: 403, slug: "role-forbidden" });
  });
});
