import { Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { useResetTotp } from "../api/reset-totp";

/** Lost phone: e-mail, password and a recovery code lead into the usual authenticator set-up. */
export function TotpResetPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const reset = useResetTotp();
  const { errorFor } = useFieldErrors(reset.error);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [recoveryCode, setRecoveryCode] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    reset.mutate(
      { email: email.trim(), password, recovery_code: recoveryCode.trim() },
      { onSuccess: (answer) => void navigate("/totp-enrolment", { state: { enrolmentToken: answer.enrolment_token } }) },
    );
  };
  return (
    <Paper maw={420} mx="auto" p="lg" withBorder>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={1} size="h2">
            {t("totpReset.title")}
          </Title>
          <Text>{t("totpReset.intro")}</Text>
          {reset.isError && <ErrorMessage error={reset.error} fields={["email", "password", "recovery_code"]} />}
          <TextInput label={t("totpReset.email")} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errorFor("email")} />
          <PasswordInput label={t("totpReset.password")} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errorFor("password")} />
          <TextInput label={t("totpReset.recoveryCode")} autoComplete="off" required value={recoveryCode} onChange={(e) => setRecoveryCode(e.currentTarget.value)} error={errorFor("recovery_code")} />
          <Button type="submit" loading={reset.isPending}>
            {t("totpReset.submit")}
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
