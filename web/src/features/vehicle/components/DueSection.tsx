import { Anchor, Badge, Button, Card, Group, NumberInput, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useSchedule } from "../api/service-book";
import type { ScheduleItem } from "../api/types";
import { formatDay, formatKm, STATUS_COLOR } from "../format";
import { PassRequired } from "./PassRequired";

/**
 * What is due: today's odometer (and the first registration, for a car without entries) in, each
 * maintenance item out with its status in colour and in words, when it is due, when it was last
 * done, and the AIR document that describes the job.
 */
export function DueSection({ vin }: { vin: string }) {
  const { t, i18n } = useTranslation();
  const [mileage, setMileage] = useState<string | number>("");
  const [firstRegistration, setFirstRegistration] = useState("");
  const [asked, setAsked] = useState<{ mileageKm: number | null; firstRegistration: string | null }>({ mileageKm: null, firstRegistration: null });
  const schedule = useSchedule(vin, asked);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAsked({ mileageKm: typeof mileage === "number" ? mileage : null, firstRegistration: firstRegistration || null });
  };
  const due = (item: ScheduleItem) =>
    [item.due_date ? formatDay(item.due_date, i18n.language) : null, item.due_mileage_km !== null ? formatKm(item.due_mileage_km, i18n.language) : null]
      .filter(Boolean)
      .join(t("vehicle.due.or"));
  return (
    <Card withBorder component="section" aria-labelledby="due-title">
      <Title order={2} size="h4" id="due-title">
        {t("vehicle.due.title")}
      </Title>
      <form onSubmit={submit}>
        <Group align="end" mt="xs">
          <NumberInput
            label={t("vehicle.due.mileage")}
            description={t("vehicle.due.mileageHint")}
            value={mileage}
            onChange={setMileage}
            min={0}
            max={2_000_000}
            thousandSeparator={i18n.language === "de" ? "." : ","}
            decimalSeparator={i18n.language === "de" ? "," : "."}
            allowDecimal={false}
            suffix=" km"
            style={{ flex: "1 1 10rem" }}
          />
          <TextInput
            type="date"
            label={t("vehicle.due.firstRegistration")}
            description={t("vehicle.due.firstRegistrationHint")}
            value={firstRegistration}
            onChange={(e) => setFirstRegistration(e.currentTarget.value)}
            style={{ flex: "1 1 10rem" }}
          />
          <Button type="submit">{t("vehicle.due.show")}</Button>
        </Group>
      </form>
      {schedule.isError && <PassRequired error={schedule.error} what={t("vehicle.due.title")} />}
      {schedule.isSuccess && (
        <Stack gap="xs" mt="sm">
          <Text size="sm" c="dimmed">
            {schedule.data.mileage_km !== null
              ? t("vehicle.due.asOfMileage", { date: formatDay(schedule.data.as_of, i18n.language), mileage: formatKm(schedule.data.mileage_km, i18n.language) })
              : t("vehicle.due.asOf", { date: formatDay(schedule.data.as_of, i18n.language) })}
          </Text>
          {schedule.data.items.length === 0 ? (
            <Text>{t("vehicle.due.none")}</Text>
          ) : (
            <Table className="aos-stack" aria-label={t("vehicle.due.table")} verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("vehicle.due.job")}</Table.Th>
                  <Table.Th>{t("vehicle.due.status")}</Table.Th>
                  <Table.Th>{t("vehicle.due.dueAt")}</Table.Th>
                  <Table.Th>{t("vehicle.due.lastDone")}</Table.Th>
                  <Table.Th>{t("vehicle.due.document")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {schedule.data.items.map((item) => (
                  <Table.Tr key={item.rule_id} data-testid={`due-${item.rule_id}`}>
                    <Table.Td data-label={t("vehicle.due.job")}>{item.title}</Table.Td>
                    <Table.Td data-label={t("vehicle.due.status")}>
                      <Badge
                        color={STATUS_COLOR[item.status]}
                        variant={item.status === "ok" || item.status === "unknown" ? "light" : "filled"}
                        // Black or white text, whichever reads on the colour (yellow needs black);
                        // orange sits between the two, where only black reaches AA contrast.
                        autoContrast
                        c={item.status === "due" ? "black" : undefined}
                        data-testid="due-status"
                      >
                        {t(`vehicle.status.${item.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td data-label={t("vehicle.due.dueAt")}>{due(item) || "–"}</Table.Td>
                    <Table.Td data-label={t("vehicle.due.lastDone")}>
                      {item.last_done
                        ? `${formatDay(item.last_done.performed_on, i18n.language)}, ${formatKm(item.last_done.mileage_km, i18n.language)}`
                        : item.basis === "first_registration"
                          ? t("vehicle.due.fromFirstRegistration")
                          : t("vehicle.due.never")}
                    </Table.Td>
                    <Table.Td data-label={t("vehicle.due.document")}>
                      {item.document_id && (
                        <Anchor component={Link} to={`/air/documents/${encodeURIComponent(item.document_id)}?vin=${encodeURIComponent(vin)}`}>
                          {t("vehicle.due.howTo", { title: item.title })}
                        </Anchor>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
          {schedule.data.notes.map((note) => (
            <Text key={note} size="sm">
              {note}
            </Text>
          ))}
        </Stack>
      )}
    </Card>
  );
}
