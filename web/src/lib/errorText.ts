import { useTranslation } from "react-i18next";
import { countryName } from "./countries";
import { formatAlternatives } from "./list";
import { describeError, type FieldError, fieldErrorsOf, type Problem, type ReadableError } from "./problem";

/**
 * Errors in the reader's language. Problems are translated by their code and field errors by
 * theirs; a code the portal does not know yet falls back to the server's own (English) text,
 * so a new server error is never shown blank.
 */
export function useErrorText() {
  const { t, i18n } = useTranslation();

  const describe = (error: unknown): ReadableError =>
    describeError(error, {
      generic: t("errors.generic"),
      network: t("errors.network"),
      http: (status) => t("errors.http", { status }),
      translate: (code, problem) => {
        const key = `problems.${code}`;
        if (!i18n.exists(`${key}.title`)) return null;
        const detail = i18n.exists(`${key}.detail`) ? t(`${key}.detail`, problemValues(problem)) : null;
        // A problem without the member its text names (a server older than the portal): the
        // server's own detail says more than a sentence with a hole in it.
        if (detail !== null && detail.includes("{{")) return { title: t(`${key}.title`), detail: problem.detail ?? null };
        return { title: t(`${key}.title`), detail };
      },
    });

  /** A problem's extension members as values for its translated text: text and numbers as they
   * are, `required_roles` as role names ("Owner, Admin, or Accountant"). */
  const problemValues = (problem: Problem): Record<string, string | number> => {
    const values: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(problem)) {
      if (typeof value === "string" || typeof value === "number") values[name] = value;
    }
    const roles = problem.required_roles;
    if (Array.isArray(roles) && roles.every((role) => typeof role === "string")) {
      values.required_roles = formatAlternatives(
        roles.map((role) => t(`roles.${role}`, { defaultValue: role })),
        i18n.language,
      );
    }
    return values;
  };

  const fieldError = ({ code, message, params }: FieldError): string => {
    // value_error carries the rule's own English sentence ("at least 12 characters"), which
    // says more than any generic text; other languages get the generic one.
    const own = message.replace(/^Value error, /, "");
    if (code === "value_error" && i18n.language === "en" && own !== "") return own;
    const values: Record<string, unknown> = { ...params };
    if (typeof params.min_length === "number") values.count = params.min_length;
    if (typeof params.max_length === "number") values.count = params.max_length;
    if (typeof params.country === "string") values.country = countryName(params.country, i18n.language);
    const key = `fieldErrors.${code}`;
    const known = i18n.exists(key) || i18n.exists(`${key}_other`);
    if (known) return t(key, values);
    return own !== "" ? own : t("fieldErrors.generic");
  };

  const fieldLabel = (field: string): string => t(`fields.${field}`, { defaultValue: field });

  return { describe, fieldError, fieldLabel };
}

/**
 * The field errors of `error` for a form: `errorFor(field)` is the translated message to show
 * next to that field (undefined when it has none).
 */
export function useFieldErrors(error: unknown) {
  const { fieldError } = useErrorText();
  const errors = fieldErrorsOf(error);
  const errorFor = (field: string): string | undefined => {
    const found = errors.find((item) => item.field === field);
    return found ? fieldError(found) : undefined;
  };
  return { errors, errorFor };
}
