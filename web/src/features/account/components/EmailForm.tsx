import { Alert, Button, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { useChangeEmail } from "../api/change-email";

/** A new address, confirmed with password and authenticator code; it counts once its link is opened. */
export function EmailForm() {
  const { t } = useTranslation();
  const change = useChangeEmail();
  const { errorFor } = useFieldErrors(change.error);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate(
      { new_email: email.trim(), password, totp_code: totp.trim() },
      {
        onSuccess: () => {
          setPassword("");
          setTotp("");
        },
      },
    );
  };
  return (
    <Paper p="md" withBorder>
      <form onSubmit={submit} noValidate aria-label={t("account.emailTitle")}>
        <Stack>
          <Title order={2} size="h3">
            {t("account.emailTitle")}
          </Title>
          {change.isError && <ErrorMessage error={change.error} fields={["new_email", "password", "totp_code"]} />}
          {change.isSuccess && (
            <Alert color="green" role="status">
              {t("account.emailDone", { email: change.variables.new_email })}
            </Alert>
          )}
          <TextInput label={t("account.newEmail")} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errorFor("new_email")} />
          <PasswordInput label={t("account.currentPassword")} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errorFor("password")} />
          <TextInput label={t("account.totp")} autoComplete="one-time-code" inputMode="numeric" required value={totp} onChange={(e) => setTotp(e.currentTarget.value)} error={errorFor("totp_code")} />
          <Button type="submit" loading={change.isPending} style={{ alignSelf: "start" }}>
            {t("account.emailSubmit")}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
