import createClient from "openapi-fetch";
import { ApiError } from "../problem";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type ApiClient = ReturnType<typeof createClient<paths>>;

/**
 * Sent with every call: identity refuses a refresh or logout without it (a form on another site
 * can send the refresh cookie, but never a custom header), so it proves the call is ours.
 */
export const CSRF_HEADER = "X-AOS-CSRF";

export interface ApiClientOptions {
  /** "" in the app: every call goes to the relative /api/... on the page's own origin. */
  baseUrl?: string;
  /** The access token to send, read at each request (null: send none). */
  accessToken: () => string | null;
  fetch?: (request: Request) => Promise<Response>;
  /** The portal's language, read at each request and sent as Accept-Language (content such as
   * AIR documents comes in it when the server has it). */
  language?: () => string;
}

/**
 * A typed client for the gateway's API that adds the bearer token unless the call set one, and
 * the CSRF header. Cookies (the HttpOnly refresh cookie) go with calls to the page's own origin
 * only.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? "",
    credentials: "same-origin",
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use({
    onRequest({ request }) {
      const token = options.accessToken();
      if (token !== null && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      request.headers.set(CSRF_HEADER, "1");
      const language = options.language?.();
      if (language) request.headers.set("Accept-Language", language);
      return request;
    },
  });
  return client;
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call; throws ApiError (with the problem when there is one) otherwise. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw new ApiError(response.status, error);
  return data as T;
}
