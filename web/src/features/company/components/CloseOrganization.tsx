import { Alert, Button, Checkbox, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { useAuth } from "../../auth";
import { useCloseOrganization } from "../api/close-organization";

/** Closing the workshop (owner): what is erased and what is kept, then password and code. */
export function CloseOrganization() {
  const { t } = useTranslation();
  const auth = useAuth();
  const close = useCloseOrganization();
  const { errorFor } = useFieldErrors(close.error);
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [understood, setUnderstood] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    close.mutate({ password, totp_code: totp.trim() });
  };
  if (close.isSuccess) {
    return (
      <Alert color="green" role="status">
        {t("company.closed")}{" "}
        <Button size="xs" variant="default" onClick={() => void auth.signOut()}>
          {t("nav.logout")}
        </Button>
      </Alert>
    );
  }
  return (
    <Paper p="md" withBorder style={{ borderColor: "var(--mantine-color-red-6)" }}>
      <form onSubmit={submit} noValidate aria-label={t("company.closeTitle")}>
        <Stack>
          <Title order={2} size="h3">
            {t("company.closeTitle")}
          </Title>
          <Alert color="red" variant="light">
            {t("company.closeWarning")}
          </Alert>
          {close.isError && <ErrorMessage error={close.error} fields={["password", "totp_code"]} />}
          <PasswordInput label={t("company.closePassword")} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errorFor("password")} />
          <TextInput label={t("company.closeTotp")} autoComplete="one-time-code" inputMode="numeric" required value={totp} onChange={(e) => setTotp(e.currentTarget.value)} error={errorFor("totp_code")} />
          <Checkbox label={t("company.closeConfirm")} checked={understood} onChange={(e) => setUnderstood(e.currentTarget.checked)} />
          <Button type="submit" color="red" disabled={!understood} loading={close.isPending} style={{ alignSelf: "start" }}>
            {t("company.closeSubmit")}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
