import { type ApiClient, unwrap } from "./client";

type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface CallInit {
  /** Query parameters; undefined ones are left out. */
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
}

interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}
type LooseClient = Record<Method, (path: string, init: object) => Promise<FetchResult>>;

/**
 * A call to a gateway route that the generated schema does not describe yet (billing's commerce
 * routes are built in parallel with the portal). It goes through the same client, so the token,
 * the CSRF header and the problem handling are the same; the caller types the answer by hand.
 * Once the route is in openapi.json, its module switches to `api.GET/POST` and the generated type.
 */
export function callApi<T>(api: ApiClient, method: Method, path: string, init: CallInit = {}): Promise<T> {
  const loose = api as unknown as LooseClient;
  return unwrap(loose[method](path, requestInit(init))) as Promise<T>;
}

/** A file the gateway sends (PDF, CSV): its bytes and the name to save it under. */
export interface DownloadedFile {
  blob: Blob;
  filename: string;
}

/**
 * GET a file. The name comes from the answer's Content-Disposition when it has one, else
 * `fallbackName`. A problem answer throws ApiError like any call.
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

function requestInit({ query, body, headers }: CallInit): object {
  const params: Record<string, unknown> = {};
  if (query) params.query = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
  if (headers) params.header = headers;
  return body === undefined ? { params } : { params, body };
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
