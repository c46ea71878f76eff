import { Alert, List } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { fieldErrorsOf } from "../lib/problem";
import { useErrorText } from "../lib/errorText";

/**
 * Any error as a readable alert in the reader's language; never blank.
 *
 * `fields` names the fields the form shows with their own errors (see useFieldErrors); field
 * errors for any other field are listed in the alert, so that none goes unseen.
 */
export function ErrorMessage({ error, fields = [] }: { error: unknown; fields?: readonly string[] }) {
  const { t } = useTranslation();
  const { describe, fieldError, fieldLabel } = useErrorText();
  const { title, detail } = describe(error);
  const unplaced = fieldErrorsOf(error).filter((item) => !fields.includes(item.field));
  return (
    <Alert color="red" variant="light" title={title} role="alert">
      {detail}
      {unplaced.length > 0 && (
        <List size="sm" mt={detail ? "xs" : 0} aria-label={t("fieldErrors.others")}>
          {unplaced.map((item) => (
            <List.Item key={`${item.field}-${item.code}`}>
              {fieldLabel(item.field)}: {fieldError(item)}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
