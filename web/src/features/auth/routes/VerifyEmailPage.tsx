import { Alert, Button, Loader, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { useResendVerification } from "../api/resend-verification";
import { useVerifyEmail } from "../api/verify-email";
import { ResendOutcome } from "../components/ResendOutcome";

/** The page the verification e-mail links to: /verify-email?token=... */
export function VerifyEmailPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get("token");
  const verify = useVerifyEmail();
  const { mutate } = verify;
  // A token is single-use: send it once, even when React runs the effect twice (StrictMode).
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (token && sent.current !== token) {
      sent.current = token;
      mutate(token);
    }
  }, [token, mutate]);

  return (
    <Stack maw={560} mx="auto">
      <Title order={1} size="h2">
        {t("verify.title")}
      </Title>
      {!token && <Alert color="yellow">{t("verify.missing")}</Alert>}
      {verify.isPending && <Loader aria-label={t("verify.pending")} />}
      {verify.isError && <ErrorMessage error={verify.error} />}
      {(!token || verify.isError) && <ResendForm />}
      {verify.isSuccess && (
        <>
          <Alert color="green" role="status">
            {t("verify.done")}
          </Alert>
          <Button component={Link} to="/login">
            {t("verify.toLogin")}
          </Button>
        </>
      )}
    </Stack>
  );
}

/** Asks for a new verification mail, for a link that expired, was used or got lost. */
function ResendForm() {
  const { t } = useTranslation();
  const [email, setEmail] = useState("");
  const { resend, send } = useResendVerification();
  const { errorFor } = useFieldErrors(resend.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send(email.trim());
  };
  return (
    <Paper p="md" withBorder>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h4">
            {t("verify.resendTitle")}
          </Title>
          <Text size="sm">{t("verify.resendIntro")}</Text>
          <ResendOutcome resend={resend} fields={["email"]} />
          <TextInput
            label={t("verify.resendEmail")}
            error={errorFor("email")}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.currentTarget.value)}
          />
          <Button type="submit" loading={resend.isPending} style={{ alignSelf: "start" }}>
            {t("verify.resend")}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
