/** RFC 9457 problem details, as every AOS service answers errors. */
export interface Problem {
  type?: string;
  title: string;
  status?: number;
  detail?: string;
  [extra: string]: unknown;
}

/** An API call that did not succeed; `problem` is set when the body was problem+json. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;

  constructor(status: number, body: unknown) {
    const problem = asProblem(body);
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  /** The problem's slug ("totp-enrolment-required"), from its `type` "/problems/<slug>". */
  get slug(): string | null {
    const type = this.problem?.type;
    return typeof type === "string" ? (type.split("/").pop() ?? null) : null;
  }
}

/** `body` as a problem when it has a non-empty string title, else null. */
export function asProblem(body: unknown): Problem | null {
  if (typeof body !== "object" || body === null) return null;
  const record = body as Record<string, unknown>;
  if (typeof record.title !== "string" || record.title.trim() === "") return null;
  return {
    ...record,
    title: record.title,
    detail: typeof record.detail === "string" ? record.detail : undefined,
    status: typeof record.status === "number" ? record.status : undefined,
    type: typeof record.type === "string" ? record.type : undefined,
  };
}

/** Text for a person: never empty. */
export interface ReadableError {
  title: string;
  detail: string | null;
}

export interface Fallbacks {
  /** Title when the error says nothing usable. */
  generic: string;
  /** Title when the server could not be reached. */
  network: string;
  /** Title for an HTTP error without a problem body. */
  http: (status: number) => string;
}

/** Title and detail of any thrown value: a problem, an Error, a string or anything else. */
export function describeError(error: unknown, fallbacks: Fallbacks): ReadableError {
  if (error instanceof ApiError) {
    if (error.problem) return { title: error.problem.title, detail: nonEmpty(error.problem.detail) };
    return { title: fallbacks.http(error.status), detail: null };
  }
  const problem = asProblem(error);
  if (problem) return { title: problem.title, detail: nonEmpty(problem.detail) };
  // fetch() rejects with a TypeError when the server cannot be reached at all.
  if (error instanceof TypeError) return { title: fallbacks.network, detail: nonEmpty(error.message) };
  if (error instanceof Error) return { title: fallbacks.generic, detail: nonEmpty(error.message) };
  if (typeof error === "string") return { title: fallbacks.generic, detail: nonEmpty(error) };
  return { title: fallbacks.generic, detail: null };
}

function nonEmpty(text: string | undefined): string | null {
  return text !== undefined && text.trim() !== "" ? text : null;
}
