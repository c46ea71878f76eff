import { Alert, Button, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { useConfirmPasswordReset } from "../api/confirm-password-reset";

/** The link of a reset mail (`/reset-password?token=…`): a new password, then the login. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  const token = useSearchParams()[0].get("token");
  const reset = useConfirmPasswordReset();
  const { errorFor } = useFieldErrors(reset.error);
  const [password, setPassword] = useState("");

  if (token === null || token === "") return <Alert color="yellow">{t("reset.noToken")}</Alert>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    reset.mutate({ token, password });
  };
  return (
    <Paper maw={420} mx="auto" p="lg" withBorder>
      <Stack>
        <Title order={1} size="h2">
          {t("reset.title")}
        </Title>
        {reset.isSuccess ? (
          <>
            <Alert color="green" role="status">
              <Text>{t("reset.done")}</Text>
            </Alert>
            <Button component={Link} to="/login">
              {t("nav.login")}
            </Button>
          </>
        ) : (
          <form onSubmit={submit} noValidate>
            <Stack>
              {reset.isError && <ErrorMessage error={reset.error} fields={["password"]} />}
              <PasswordInput label={t("reset.password")} autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errorFor("password")} />
              <Button type="submit" loading={reset.isPending}>
                {t("reset.submit")}
              </Button>
            </Stack>
          </form>
        )}
      </Stack>
    </Paper>
  );
}
