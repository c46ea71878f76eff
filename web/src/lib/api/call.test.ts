import { describe, expect, it } from "vitest";
import { fetchFile, filenameFromDisposition } from "./call";
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

describe("fetchFile", () => {
  it("names the file as the answer's Content-Disposition says", async () => {
    const { api } = clientAnswering(() => new Response("day,air\n", { headers: { "content-type": "text/csv", "content-disposition": 'attachment; filename="usage-2026-03.csv"' } }));
    const file = await fetchFile(api, "/api/billing/usage.csv", { fallbackName: "usage.csv" });
    expect(file.filename).toBe("usage-2026-03.csv");
    expect(await file.blob.text()).toBe("day,air\n");
  });

  it("sends the query without undefined values, the token and the CSRF header", async () => {
    const { api, requests } = clientAnswering(() => new Response("key\n", { headers: { "content-type": "text/csv" } }));
    await fetchFile(api, "/api/billing/usage.csv", { query: { from: "2026-03-01", group_by: undefined }, fallbackName: "u.csv" });
    const request = requests[0]!;
    expect(new URL(request.url).search).toBe("?from=2026-03-01");
    expect(request.headers.get("Authorization")).toBe("Bearer token");
    expect(request.headers.get("X-AOS-CSRF")).toBe("1");
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
