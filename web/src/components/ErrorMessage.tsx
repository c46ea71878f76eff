import { Alert, Anchor, List } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useErrorText } from "../lib/errorText";
import { ApiError, asProblem, fieldErrorsOf, problemCode } from "../lib/problem";

/**
 * Any error as a readable alert in the reader's language; never blank.
 *
 * `fields` names the fields the form shows with their own errors (see useFieldErrors); field
 * errors for any other field are listed in the alert, so that none goes unseen. A token the
 * server no longer takes (401 `token-revoked`: role changed, member deactivated, workshop
 * closed) comes with the way out: a link to log in again.
 */
export function ErrorMessage({ error, fields = [] }: { error: unknown; fields?: readonly string[] }) {
  const { t } = useTranslation();
  const { describe, fieldError, fieldLabel } = useErrorText();
  const { title, detail } = describe(error);
  const unplaced = fieldErrorsOf(error).filter((item) => !fields.includes(item.field));
  const code = error instanceof ApiError ? error.slug : problemCode(asProblem(error));
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
      {(code === "company-address-missing" || code === "company-data-missing") && (
        <>
          {" "}
          <Anchor component={Link} to="/company">
            {t("access.openCompany")}
          </Anchor>
        </>
      )}
      {code === "token-revoked" && (
        <>
          {" "}
          <Anchor component={Link} to="/login">
            {t("access.loginAgain")}
          </Anchor>
        </>
      )}
    </Alert>
  );
}
