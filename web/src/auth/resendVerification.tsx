import { Alert } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useApi } from "../api/ApiProvider";
import { unwrap } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";

/** Asks identity for a new verification mail. Always answered 202 (it does not say whether the
 * address has an account); the service sends at most one mail a minute per account and silently
 * skips the rest. `send` ignores a second click while a request is under way. */
export function useResendVerification() {
  const api = useApi();
  const resend = useMutation({
    mutationFn: (email: string) => unwrap(api.POST("/api/identity/email-verifications/resend", { body: { email } })),
  });
  const send = (email: string) => {
    if (!resend.isPending) resend.mutate(email);
  };
  return { resend, send };
}

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
