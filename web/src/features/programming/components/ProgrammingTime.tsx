import { Button, Card, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Countdown } from "../../../components/Countdown";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useProgrammingTime } from "../hooks/useProgrammingTime";

/** The PROGRAMMING time left, with a way to buy more. */
export function ProgrammingTime() {
  const { t } = useTranslation();
  const time = useProgrammingTime();
  return (
    <Card withBorder component="section" aria-labelledby="programming-time">
      <Title order={2} size="h4" id="programming-time">
        {t("programming.time.title")}
      </Title>
      {time.isPending && <Loader aria-label={t("app.loading")} />}
      {time.isError && <ErrorMessage error={time.error} />}
      {time.isSuccess &&
        (time.data.active && time.data.valid_until ? (
          <Group>
            <Text>{t("programming.time.left")}:</Text>
            <Text fw={700}>
              <Countdown validUntil={time.data.valid_until} />
            </Text>
            <Button component={Link} to="/passes" variant="subtle" size="xs">
              {t("programming.time.buy")}
            </Button>
          </Group>
        ) : (
          <Stack align="start" gap="xs">
            <Text>{t("programming.time.none")}</Text>
            <Button component={Link} to="/passes">
              {t("programming.time.buy")}
            </Button>
          </Stack>
        ))}
    </Card>
  );
}
