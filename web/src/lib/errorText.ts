import { useTranslation } from "react-i18next";
import { countryName } from "./countries";
import { describeError, type FieldError, fieldErrorsOf, type ReadableError } from "./problem";

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
      translate: (code) => {
        const key = `problems.${code}`;
        if (!i18n.exists(`${key}.title`)) return null;
        return { title: t(`${key}.title`), detail: i18n.exists(`${key}.detail`) ? t(`${key}.detail`) : null };
      },
    });

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
