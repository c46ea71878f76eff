import { type ApiClient, unwrap } from "./client";

export interface CallInit {
  /** Query parameters; undefined ones are left out, an array is sent as repeated parameters. */
  query?: Record<string, string | number | readonly string[] | undefined>;
}

interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}
type LooseClient = Record<"GET" | "POST" | "PATCH" | "PUT" | "DELETE", (path: string, init: object) => Promise<FetchResult>>;

/** A file the gateway sends (PDF, CSV): its bytes and the name to save it under. */
export interface DownloadedFile {
  blob: Blob;
  filename: string;
}

/**
 * GET a file (an invoice's PDF, the usage CSV). The generated client types JSON answers only and
 * hands back no header, and a saved file needs the name the answer's Content-Disposition gives
 * (else `fallbackName`); so this one call goes around the path types, through the same client
 * (token, CSRF header, problem handling). A problem answer throws ApiError like any call.
 */
export async function fetchFile(api: ApiClient, path: string, { fallbackName, ...init }: CallInit & { fallbackName: string }): Promise<DownloadedFile> {
  const loose = api as unknown as LooseClient;
  let filename = fallbackName;
  const blob = await unwrap(
    loose.GET(path, { ...requestInit(init), parseAs: "blob" }).then((result) => {
      filename = filenameFromDisposition(result.response.headers.get("content-disposition")) ?? fallbackName;
      return result;
    }),
  );
  return { blob: blob as Blob, filename };
}

/**
 * A JSON call to a route the generated types do not know yet (one being built in parallel, typed
 * by hand in the feature's api/types.ts), through the same client: token, CSRF header, language,
 * problem handling. Once openapi.json has the route, the feature calls `api.GET(...)` again.
 */
export async function requestJson<T>(
  api: ApiClient,
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE",
  path: string,
  { body, ...init }: CallInit & { body?: unknown } = {},
): Promise<T> {
  const loose = api as unknown as LooseClient;
  const result = await unwrap(loose[method](path, { ...requestInit(init), ...(body === undefined ? {} : { body }) }));
  return result as T;
}

function requestInit({ query }: CallInit): object {
  return query ? { params: { query: Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) } } : {};
}

/**
 * The file name a Content-Disposition header gives: RFC 6266's `filename*` (UTF-8, percent
 * encoded) before the plain `filename`; only the last path segment, so a name can never point
 * into another folder. Null when the header names none.
 */
export function filenameFromDisposition(header: string | null): string | null {
  if (header === null) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  let name: string | null = null;
  if (extended?.[1]) {
    try {
      name = decodeURIComponent(extended[1].trim());
    } catch {
      name = null;
    }
  }
  if (name === null) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/.exec(header);
    name = plain ? (plain[1]?.replace(/\\(.)/g, "$1") ?? plain[2]?.trim() ?? null) : null;
  }
  const base = name?.split(/[\\/]/).pop()?.trim() ?? "";
  return base === "" || base === "." || base === ".." ? null : base;
}
