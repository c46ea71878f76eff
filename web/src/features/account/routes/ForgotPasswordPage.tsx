import { Alert, Anchor, Button, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { useRequestPasswordReset } from "../api/request-password-reset";

/** Asks for a reset link; the answer is the same whether the address has an account or not. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const request = useRequestPasswordReset();
  const { errorFor } = useFieldErrors(request.error);
  const [email, setEmail] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    request.mutate({ email: email.trim() });
  };
  return (
    <Paper maw={420} mx="auto" p="lg" withBorder>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={1} size="h2">
            {t("forgot.title")}
          </Title>
          {request.isSuccess ? (
            <Alert color="green" role="status">
              {t("forgot.sent", { email: request.variables.email })}
            </Alert>
          ) : (
            <>
              <Text>{t("forgot.intro")}</Text>
              {request.isError && <ErrorMessage error={request.error} fields={["email"]} />}
              <TextInput label={t("forgot.email")} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errorFor("email")} />
              <Button type="submit" loading={request.isPending}>
                {t("forgot.submit")}
              </Button>
            </>
          )}
          <Anchor component={Link} to="/totp-reset">
            {t("forgot.lostPhone")}
          </Anchor>
          <Anchor component={Link} to="/login">
            {t("nav.login")}
          </Anchor>
        </Stack>
      </form>
    </Paper>
  );
}
