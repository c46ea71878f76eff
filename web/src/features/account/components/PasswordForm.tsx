import { Alert, Button, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { useChangePassword } from "../api/change-password";

/** Current password and authenticator code, then the new password. */
export function PasswordForm() {
  const { t } = useTranslation();
  const change = useChangePassword();
  const { errorFor } = useFieldErrors(change.error);
  const [current, setCurrent] = useState("");
  const [totp, setTotp] = useState("");
  const [next, setNext] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate(
      { current_password: current, totp_code: totp.trim(), new_password: next },
      {
        onSuccess: () => {
          setCurrent("");
          setTotp("");
          setNext("");
        },
      },
    );
  };
  return (
    <Paper p="md" withBorder>
      <form onSubmit={submit} noValidate aria-label={t("account.passwordTitle")}>
        <Stack>
          <Title order={2} size="h3">
            {t("account.passwordTitle")}
          </Title>
          {change.isError && <ErrorMessage error={change.error} fields={["current_password", "totp_code", "new_password"]} />}
          {change.isSuccess && (
            <Alert color="green" role="status">
              {t("account.passwordDone")}
            </Alert>
          )}
          <PasswordInput label={t("account.currentPassword")} autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.currentTarget.value)} error={errorFor("current_password")} />
          <TextInput label={t("account.totp")} autoComplete="one-time-code" inputMode="numeric" required value={totp} onChange={(e) => setTotp(e.currentTarget.value)} error={errorFor("totp_code")} />
          <PasswordInput label={t("account.newPassword")} autoComplete="new-password" required value={next} onChange={(e) => setNext(e.currentTarget.value)} error={errorFor("new_password")} />
          <Button type="submit" loading={change.isPending} style={{ alignSelf: "start" }}>
            {t("account.passwordSubmit")}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
