import { Alert, Anchor, Button, Code, Image, List, Loader, Paper, Stack, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { svgDataUrl } from "../../../lib/svg";
import { useConfirmTotpEnrolment } from "../api/confirm-totp-enrolment";
import { useStartTotpEnrolment } from "../api/start-totp-enrolment";

/** Reached from the login page with the enrolment token in router state (memory only). */
export function TotpEnrolmentPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const state: unknown = location.state;
  const enrolmentToken =
    typeof state === "object" && state !== null && "enrolmentToken" in state && typeof state.enrolmentToken === "string"
      ? state.enrolmentToken
      : null;
  const [code, setCode] = useState("");

  const start = useStartTotpEnrolment(enrolmentToken);
  const confirm = useConfirmTotpEnrolment(enrolmentToken);
  const { errorFor } = useFieldErrors(confirm.error);
  const { mutate: begin } = start;
  const started = useRef(false);
  useEffect(() => {
    if (enrolmentToken !== null && !started.current) {
      started.current = true; // one secret per visit, even when the effect runs twice
      begin();
    }
  }, [enrolmentToken, begin]);

  if (enrolmentToken === null) {
    return (
      <Alert color="yellow" maw={560} mx="auto">
        {t("totp.noToken")}{" "}
        <Anchor component={Link} to="/login">
          {t("nav.login")}
        </Anchor>
      </Alert>
    );
  }
  if (confirm.isSuccess) {
    return (
      <Paper maw={560} mx="auto" p="lg" withBorder>
        <Stack>
          <Title order={1} size="h2">
            {t("totp.recoveryTitle")}
          </Title>
          <Text>{t("totp.recoveryIntro")}</Text>
          <List aria-label={t("totp.recoveryTitle")}>
            {confirm.data.recovery_codes.map((recovery) => (
              <List.Item key={recovery}>
                <Code>{recovery}</Code>
              </List.Item>
            ))}
          </List>
          <Button component={Link} to="/login">
            {t("totp.continue")}
          </Button>
        </Stack>
      </Paper>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate(code.trim());
  };
  return (
    <Paper maw={560} mx="auto" p="lg" withBorder>
      <Stack>
        <Title order={1} size="h2">
          {t("totp.title")}
        </Title>
        {start.isPending && <Loader aria-label={t("app.loading")} />}
        {start.isError && <ErrorMessage error={start.error} />}
        {start.isSuccess && (
          <>
            <Text>{t("totp.intro")}</Text>
            <Image src={svgDataUrl(start.data.qr_svg)} alt={t("totp.qrAlt")} w={240} h={240} fit="contain" />
            <Text>
              {t("totp.secret")}: <Code data-testid="totp-secret">{start.data.secret}</Code>
            </Text>
            <form onSubmit={submit} noValidate>
              <Stack>
                {confirm.isError && <ErrorMessage error={confirm.error} fields={["code"]} />}
                <TextInput
                  error={errorFor("code")}
                  label={t("totp.code")}
                  autoComplete="one-time-code"
                  inputMode="numeric"
                  required
                  value={code}
                  onChange={(e) => setCode(e.currentTarget.value)}
                />
                <Button type="submit" loading={confirm.isPending}>
                  {t("totp.confirm")}
                </Button>
              </Stack>
            </form>
          </>
        )}
      </Stack>
    </Paper>
  );
}
