import { Anchor, Button, Paper, PasswordInput, Stack, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, type Location, useLocation, useNavigate } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { ApiError } from "../../../lib/problem";
import { useLogin } from "../api/login";
import { useAuth } from "../session/AuthProvider";

export function LoginPage() {
  const { t } = useTranslation();
  const auth = useAuth();
  const navigate = useNavigate();
  // The page that sent the user here to log in (RequireAuth), to return to afterwards.
  const from = (useLocation().state as { from?: Location } | null)?.from;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totpCode, setTotpCode] = useState("");

  const login = useLogin({
    onSuccess: (tokens) => {
      auth.signIn(tokens);
      void navigate(from ? `${from.pathname}${from.search}${from.hash}` : "/passes", { replace: true });
    },
    onError: (error) => {
      // A user without TOTP gets a short-lived enrolment token instead of tokens; it stays in
      // memory (router state) and is gone after the set-up.
      if (error instanceof ApiError && error.slug === "totp-enrolment-required") {
        const token = error.problem?.enrolment_token;
        if (typeof token === "string") void navigate("/totp-enrolment", { state: { enrolmentToken: token } });
      }
    },
  });

  const { errorFor } = useFieldErrors(login.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email, password, totp_code: totpCode.trim() === "" ? null : totpCode.trim() });
  };

  return (
    <Paper maw={420} mx="auto" p="lg" withBorder>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={1} size="h2">
            {t("login.title")}
          </Title>
          {/* Why the last login of this tab ended, when it was not the user's own logout. */}
          {!login.isError && auth.ended !== null && <ErrorMessage error={auth.ended} />}
          {login.isError && <ErrorMessage error={login.error} fields={["email", "password", "totp_code"]} />}
          <TextInput label={t("login.email")} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} error={errorFor("email")} data-autofocus autoFocus />
          <PasswordInput label={t("login.password")} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} error={errorFor("password")} />
          <TextInput
            error={errorFor("totp_code")}
            label={t("login.totp")}
            description={t("login.totpDescription")}
            autoComplete="one-time-code"
            inputMode="numeric"
            value={totpCode}
            onChange={(e) => setTotpCode(e.currentTarget.value)}
          />
          <Button type="submit" loading={login.isPending}>
            {t("login.submit")}
          </Button>
          <Anchor component={Link} to="/forgot-password">
            {t("forgot.link")}
          </Anchor>
          <Anchor component={Link} to="/register">
            {t("login.noAccount")}
          </Anchor>
        </Stack>
      </form>
    </Paper>
  );
}
