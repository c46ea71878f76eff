import { Card, Group, Loader, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Countdown } from "../../../components/Countdown";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { BuyPassLink } from "../../passes";
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
            <BuyPassLink label={t("programming.time.buy")} variant="subtle" size="xs" quiet />
          </Group>
        ) : (
          <Stack align="start" gap="xs">
            <Text>{t("programming.time.none")}</Text>
            <BuyPassLink label={t("programming.time.buy")} />
          </Stack>
        ))}
    </Card>
  );
}
