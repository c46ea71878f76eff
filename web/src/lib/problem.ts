/**
 * One field that failed validation. `field` is the dotted location in the body ("vat_id"; path
 * and query parameters keep their location, "path.product_code"), `code` pydantic's error type
 * or a custom kebab-case code ("vat-id-invalid"), `message` the server's English sentence and
 * `params` what the message needs ({ min_length: 2 }).
 */
export interface FieldError {
  field: string;
  code: string;
  message: string;
  params: Record<string, unknown>;
}

/** RFC 9457 problem details, as every AOS service answers errors. */
export interface Problem {
  type?: string;
  /** Stable machine code, the slug at the end of `type` ("email-taken"). */
  code?: string;
  title: string;
  status?: number;
  detail?: string;
  /** Field errors of a 422 answer. */
  errors?: FieldError[];
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
    return problemCode(this.problem);
  }

  /** The problem's field errors (empty when there are none). */
  get fieldErrors(): FieldError[] {
    return this.problem?.errors ?? [];
  }
}

/** The problem's stable code: `code`, or else the slug at the end of `type`. */
export function problemCode(problem: Problem | null): string | null {
  if (problem === null) return null;
  if (typeof problem.code === "string" && problem.code !== "") return problem.code;
  const slug = typeof problem.type === "string" ? problem.type.split("/").pop() : undefined;
  return slug !== undefined && slug !== "" ? slug : null;
}

/** The field errors of any thrown value; only well-formed entries are kept. */
export function fieldErrorsOf(error: unknown): FieldError[] {
  if (error instanceof ApiError) return error.fieldErrors;
  return asProblem(error)?.errors ?? [];
}

function asFieldErrors(value: unknown): FieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const errors: FieldError[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const entry = item as Record<string, unknown>;
    if (typeof entry.field !== "string") continue;
    const params = entry.params;
    errors.push({
      field: entry.field,
      code: typeof entry.code === "string" ? entry.code : "",
      message: typeof entry.message === "string" ? entry.message : "",
      params: typeof params === "object" && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {},
    });
  }
  return errors;
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
    code: typeof record.code === "string" ? record.code : undefined,
    errors: asFieldErrors(record.errors),
  };
}

/** Text for a person: never empty. */
export interface ReadableError {
  title: string;
  detail: string | null;
}

/** The problem in the reader's language, or null when its code has no translation. */
export type ProblemTranslator = (code: string, problem: Problem) => ReadableError | null;

export interface Fallbacks {
  /** Title when the error says nothing usable. */
  generic: string;
  /** Title when the server could not be reached. */
  network: string;
  /** Title for an HTTP error without a problem body. */
  http: (status: number) => string;
  /** Translates known problem codes; the server's own title and detail are the fallback. */
  translate?: ProblemTranslator;
}

/** Title and detail of any thrown value: a problem, an Error, a string or anything else. */
export function describeError(error: unknown, fallbacks: Fallbacks): ReadableError {
  if (error instanceof ApiError) {
    if (error.problem) return describeProblem(error.problem, fallbacks);
    return { title: fallbacks.http(error.status), detail: null };
  }
  const problem = asProblem(error);
  if (problem) return describeProblem(problem, fallbacks);
  // fetch() rejects with a TypeError when the server cannot be reached at all.
  if (error instanceof TypeError) return { title: fallbacks.network, detail: nonEmpty(error.message) };
  if (error instanceof Error) return { title: fallbacks.generic, detail: nonEmpty(error.message) };
  if (typeof error === "string") return { title: fallbacks.generic, detail: nonEmpty(error) };
  return { title: fallbacks.generic, detail: null };
}

function describeProblem(problem: Problem, fallbacks: Fallbacks): ReadableError {
  const code = problemCode(problem);
  const translated = code !== null && fallbacks.translate ? fallbacks.translate(code, problem) : null;
  return translated ?? { title: problem.title, detail: nonEmpty(problem.detail) };
}

function nonEmpty(text: string | undefined): string | null {
  return text !== undefined && text.trim() !== "" ? text : null;
}
