import { ActionIcon, Button, Card, Checkbox, Group, NativeSelect, NumberInput, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useFieldErrors } from "../../../lib/errorText";
import { SERVICE_ENTRY_KINDS, type ServiceEntry, type ServiceEntryCreate, type ServiceEntryKind } from "../api/types";
import { today } from "../format";

interface PartRow {
  number: string;
  quantity: string | number;
  description: string;
}

export type EntryFormMode = "add" | "edit" | "correct";

/** The form's starting values: empty for a new entry, the entry's own to edit or correct it. */
function initialValues(entry: ServiceEntry | null, ruleIds: readonly string[]) {
  return {
    kind: entry?.kind ?? ("oil_service" as ServiceEntryKind),
    performedOn: entry?.performed_on ?? today(),
    mileage: (entry?.mileage_km ?? "") as string | number,
    rules: entry?.work_items.filter((item) => ruleIds.includes(item)) ?? [],
    freeText: entry?.work_items.filter((item) => !ruleIds.includes(item)).join("\n") ?? "",
    parts: entry?.parts.map((part): PartRow => ({ ...part })) ?? ([] as PartRow[]),
    note: entry?.note ?? "",
    nextDueDate: entry?.next_due_date ?? "",
    nextDueMileage: (entry?.next_due_mileage_km ?? "") as string | number,
  };
}

/**
 * Add, edit or correct a service book entry: kind, date (today unless changed), mileage, the
 * maintenance jobs done (the schedule's rule ids) and other work in words, parts, a note and,
 * optionally, when it is next due (else the schedule fills it in). The API's field errors are
 * shown next to their fields.
 */
export function ServiceEntryForm({
  mode,
  entry,
  rules,
  error,
  pending,
  onSubmit,
  onCancel,
}: {
  mode: EntryFormMode;
  entry: ServiceEntry | null;
  /** Rule id → the job's name, in the order offered. */
  rules: [string, string][];
  error: unknown;
  pending: boolean;
  onSubmit: (body: ServiceEntryCreate) => void;
  onCancel: () => void;
}) {
  const { t, i18n } = useTranslation();
  const ruleIds = rules.map(([id]) => id);
  const [values, setValues] = useState(() => initialValues(entry, ruleIds));
  const set = <K extends keyof typeof values>(key: K, value: (typeof values)[K]) => setValues((current) => ({ ...current, [key]: value }));
  const setPart = (index: number, change: Partial<PartRow>) => set("parts", values.parts.map((part, at) => (at === index ? { ...part, ...change } : part)));
  const { errorFor } = useFieldErrors(error);
  const shown = ["kind", "performed_on", "mileage_km", "work_items", "note", "next_due_date", "next_due_mileage_km", ...values.parts.flatMap((_, index) => ["number", "quantity", "description"].map((name) => `parts.${index}.${name}`))];
  const numberFormat = { thousandSeparator: i18n.language === "de" ? "." : ",", decimalSeparator: i18n.language === "de" ? "," : "." };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const free = values.freeText
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
    onSubmit({
      kind: values.kind,
      performed_on: values.performedOn,
      mileage_km: typeof values.mileage === "number" ? values.mileage : Number.NaN,
      work_items: [...values.rules, ...free],
      parts: values.parts
        .filter((part) => part.number.trim() !== "" || part.description.trim() !== "")
        .map((part) => ({ number: part.number.trim(), quantity: typeof part.quantity === "number" ? part.quantity : Number(part.quantity), description: part.description.trim() })),
      note: values.note.trim(),
      // Left out when empty, not sent as null: "not given" lets the server fill them in from the
      // maintenance schedule.
      ...(values.nextDueDate ? { next_due_date: values.nextDueDate } : {}),
      ...(typeof values.nextDueMileage === "number" ? { next_due_mileage_km: values.nextDueMileage } : {}),
      ...(mode === "correct" && entry ? { corrects: entry.id } : {}),
    });
  };

  return (
    <Card withBorder component="section" aria-labelledby="entry-form-title" data-testid="entry-form">
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Title order={3} size="h5" id="entry-form-title">
            {t(`vehicle.form.title.${mode}`)}
          </Title>
          {mode === "correct" && <Text size="sm">{t("vehicle.form.correctsHint")}</Text>}
          <Group grow align="start" wrap="wrap">
            <NativeSelect
              label={t("vehicle.form.kind")}
              value={values.kind}
              onChange={(e) => set("kind", e.currentTarget.value as ServiceEntryKind)}
              data={SERVICE_ENTRY_KINDS.map((kind) => ({ value: kind, label: t(`vehicle.kind.${kind}`) }))}
              error={errorFor("kind")}
              style={{ minWidth: "10rem" }}
            />
            <TextInput
              type="date"
              label={t("vehicle.form.date")}
              value={values.performedOn}
              onChange={(e) => set("performedOn", e.currentTarget.value)}
              error={errorFor("performed_on")}
              required
              style={{ minWidth: "10rem" }}
            />
            <NumberInput
              label={t("vehicle.form.mileage")}
              value={values.mileage}
              onChange={(value) => set("mileage", value)}
              min={0}
              allowDecimal={false}
              allowNegative={false}
              suffix=" km"
              {...numberFormat}
              error={errorFor("mileage_km")}
              required
              style={{ minWidth: "10rem" }}
            />
          </Group>
          <Checkbox.Group label={t("vehicle.form.workItems")} value={values.rules} onChange={(value) => set("rules", value)} error={errorFor("work_items")}>
            <Group mt="xs" gap="md">
              {rules.map(([id, title]) => (
                <Checkbox key={id} value={id} label={title} />
              ))}
            </Group>
          </Checkbox.Group>
          <Textarea label={t("vehicle.form.otherWork")} description={t("vehicle.form.otherWorkHint")} value={values.freeText} onChange={(e) => set("freeText", e.currentTarget.value)} rows={2} />
          <Stack gap="xs" role="group" aria-labelledby="parts-label">
            <Text fw={500} size="sm" id="parts-label">
              {t("vehicle.form.parts")}
            </Text>
            {values.parts.map((part, index) => (
              <Group key={index} align="end" gap="xs" wrap="wrap" data-testid="part-row">
                <TextInput
                  label={t("vehicle.form.partNumber", { row: index + 1 })}
                  value={part.number}
                  onChange={(e) => setPart(index, { number: e.currentTarget.value })}
                  error={errorFor(`parts.${index}.number`)}
                  style={{ flex: "1 1 8rem" }}
                />
                <NumberInput
                  label={t("vehicle.form.quantity", { row: index + 1 })}
                  value={part.quantity}
                  onChange={(value) => setPart(index, { quantity: value })}
                  min={0}
                  decimalScale={2}
                  decimalSeparator={numberFormat.decimalSeparator}
                  error={errorFor(`parts.${index}.quantity`)}
                  style={{ flex: "0 1 6rem" }}
                />
                <TextInput
                  label={t("vehicle.form.partDescription", { row: index + 1 })}
                  value={part.description}
                  onChange={(e) => setPart(index, { description: e.currentTarget.value })}
                  error={errorFor(`parts.${index}.description`)}
                  style={{ flex: "2 1 10rem" }}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="lg"
                  aria-label={t("vehicle.form.removePart", { row: index + 1 })}
                  onClick={() => set("parts", values.parts.filter((_, at) => at !== index))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            <Button variant="light" size="xs" style={{ alignSelf: "start" }} onClick={() => set("parts", [...values.parts, { number: "", quantity: 1, description: "" }])}>
              {t("vehicle.form.addPart")}
            </Button>
          </Stack>
          <Textarea label={t("vehicle.form.note")} value={values.note} onChange={(e) => set("note", e.currentTarget.value)} error={errorFor("note")} rows={2} />
          <Group grow align="start" wrap="wrap">
            <TextInput
              type="date"
              label={t("vehicle.form.nextDueDate")}
              description={t("vehicle.form.nextDueHint")}
              value={values.nextDueDate}
              onChange={(e) => set("nextDueDate", e.currentTarget.value)}
              error={errorFor("next_due_date")}
              style={{ minWidth: "10rem" }}
            />
            <NumberInput
              label={t("vehicle.form.nextDueMileage")}
              description={t("vehicle.form.nextDueHint")}
              value={values.nextDueMileage}
              onChange={(value) => set("nextDueMileage", value)}
              min={0}
              allowDecimal={false}
              suffix=" km"
              {...numberFormat}
              error={errorFor("next_due_mileage_km")}
              style={{ minWidth: "10rem" }}
            />
          </Group>
          {error !== null && error !== undefined && <ErrorMessage error={error} fields={shown} />}
          <Group>
            <Button type="submit" loading={pending}>
              {t(`vehicle.form.submit.${mode}`)}
            </Button>
            <Button variant="default" onClick={onCancel}>
              {t("vehicle.form.cancel")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
