import { Alert, Card, Group, Loader, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Countdown } from "../../../components/Countdown";
import { ErrorMessage } from "../../../components/ErrorMessage";
import type { Schemas } from "../../../lib/api/client";
import { BuyPassLink } from "../../passes";
import { formatSeconds, TERMINAL_STATES } from "../format";
import { useNow } from "../hooks/useNow";
import { JustThisCar } from "../../shop";
import { useProgrammingTime, useVinPassUntil } from "../hooks/useProgrammingTime";

type Session = Schemas["SessionRead"];

/** Seconds the jobs that have not finished yet are expected to take. */
export function secondsStillNeeded(session: Session): number {
  return session.jobs.filter((job) => job.state === "PENDING" || job.state === "RUNNING").reduce((sum, job) => sum + job.estimated_seconds, 0);
}

/** The plan's estimate against the paid programming time that is left. */
export function TimeBudget({ session }: { session: Session }) {
  const { t } = useTranslation();
  const time = useProgrammingTime();
  const now = useNow();
  const vinUntil = useVinPassUntil(session.vin);
  const needed = secondsStillNeeded(session);
  if (TERMINAL_STATES.has(session.state) || needed === 0) return null;
  if (time.isPending) return <Loader aria-label={t("app.loading")} />;
  if (time.isError) return <ErrorMessage error={time.error} />;
  // A per-VIN pass for this car counts as much as a time pass (billing grants either).
  const timeUntil = time.data.active && time.data.valid_until ? Date.parse(time.data.valid_until) : now;
  const until = Math.max(timeUntil, vinUntil !== null ? Date.parse(vinUntil) : now);
  const validUntil = until === timeUntil ? time.data.valid_until : vinUntil;
  const left = Math.max(0, (until - now) / 1000);
  return (
    <Card withBorder>
      <Group gap="xl">
        <div>
          <Text size="sm" c="dimmed">
            {t("programming.session.estimate")}
          </Text>
          <Text fw={700} data-testid="estimate">
            {formatSeconds(needed)}
          </Text>
        </div>
        <div>
          <Text size="sm" c="dimmed">
            {t("programming.session.timeLeft")}
          </Text>
          <Text fw={700}>{validUntil && left > 0 ? <Countdown validUntil={validUntil} /> : t("countdown.expired")}</Text>
        </div>
      </Group>
      {left >= needed ? (
        <Alert color="green" mt="xs" role="status">
          {t("programming.session.enoughTime")}
        </Alert>
      ) : (
        <Alert color="yellow" mt="xs" role="alert">
          <Stack gap="xs" align="start">
            <Text>{left <= 0 ? t("programming.session.noTime") : t("programming.session.notEnoughTime", { needed: formatSeconds(needed), left: formatSeconds(left) })}</Text>
            <BuyPassLink label={t("programming.time.buy")} size="xs" />
            {left <= 0 && <JustThisCar scope="PROGRAMMING" vin={session.vin} />}
          </Stack>
        </Alert>
      )}
    </Card>
  );
}
