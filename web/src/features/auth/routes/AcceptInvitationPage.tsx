import { Alert, Button, Loader, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { useAcceptInvitation } from "../api/accept-invitation";
import { useInvitation } from "../api/get-invitation";

/**
 * The link of an invitation mail (`/accept-invitation?token=…`): which workshop invites whom
 * as what; name and password, then the authenticator set-up exactly as a new owner does it.
 */
export function AcceptInvitationPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const token = useSearchParams()[0].get("token");
  const invitation = useInvitation(token);
  const accept = useAcceptInvitation();
  const { errorFor } = useFieldErrors(accept.error);
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");

  if (token === null || token === "") return <Alert color="yellow">{t("invitation.noToken")}</Alert>;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate(
      { token, name: name.trim(), password },
      // The enrolment token stays in memory (router state), as after a login without TOTP.
      { onSuccess: (answer) => void navigate("/totp-enrolment", { state: { enrolmentToken: answer.enrolment_token } }) },
    );
  };
  return (
    <Paper maw={480} mx="auto" p="lg" withBorder>
      <Stack>
        <Title order={1} size="h2">
          {t("invitation.title")}
        </Title>
        {invitation.isPending && <Loader aria-label={t("app.loading")} />}
        {invitation.isError && <ErrorMessage error={invitation.error} />}
        {invitation.isSuccess && (
          <form onSubmit={submit} noValidate>
            <Stack>
              <Text>
                {t("invitation.intro", {
                  organization: invitation.data.organization_name,
                  email: invitation.data.email,
                  role: t(`roles.${invitation.data.role}`),
                })}
              </Text>
              {accept.isError && <ErrorMessage error={accept.error} fields={["name", "password"]} />}
              <TextInput label={t("invitation.name")} autoComplete="name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errorFor("name")} />
              <PasswordInput
                label={t("invitation.password")}
                description={t("invitation.passwordHint")}
                autoComplete="new-password"
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={errorFor("password")}
              />
              <Text size="sm" c="dimmed">
                {t("invitation.next")}
              </Text>
              <Button type="submit" loading={accept.isPending}>
                {t("invitation.submit")}
              </Button>
            </Stack>
          </form>
        )}
      </Stack>
    </Paper>
  );
}
