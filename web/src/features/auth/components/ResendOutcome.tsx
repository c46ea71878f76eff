import { Alert } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import type { useResendVerification } from "../api/resend-verification";

/** What became of the last resend: the problem, or that a link is on its way. `fields`: the
 * fields the form shows with their own errors. */
export function ResendOutcome({
  resend,
  fields = [],
}: {
  resend: ReturnType<typeof useResendVerification>["resend"];
  fields?: readonly string[];
}) {
  const { t } = useTranslation();
  if (resend.isError) return <ErrorMessage error={resend.error} fields={fields} />;
  if (resend.isSuccess)
    return (
      <Alert color="blue" role="status">
        {t("verify.resent")}
      </Alert>
    );
  return null;
}
