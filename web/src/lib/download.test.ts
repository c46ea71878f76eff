import { afterEach, describe, expect, it, vi } from "vitest";
import { saveFile } from "./download";

describe("saveFile", () => {
  afterEach(() => vi.restoreAllMocks());

  it("clicks a download link with the file's name and its bytes, then releases them", async () => {
    const blob = new Blob(["a,b\n1,2\n"], { type: "text/csv" });
    const created: Blob[] = [];
    // jsdom has no object URLs: these stand in for the browser's.
    URL.createObjectURL = (object: Blob | MediaSource) => {
      created.push(object as Blob);
      return "blob:portal/1";
    };
    const revoked: string[] = [];
    URL.revokeObjectURL = (url: string) => void revoked.push(url);
    const clicks: { href: string; download: string; attached: boolean }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicks.push({ href: this.href, download: this.download, attached: document.body.contains(this) });
    });

    saveFile({ blob, filename: "usage-2026-03.csv" });

    expect(clicks).toEqual([{ href: "blob:portal/1", download: "usage-2026-03.csv", attached: true }]);
    expect(await created[0]!.text()).toBe("a,b\n1,2\n");
    expect(document.querySelector("a[download]")).toBeNull();
    await vi.waitFor(() => expect(revoked).toEqual(["blob:portal/1"]));
  });
});
