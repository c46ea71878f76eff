import { Alert, Anchor, Badge, Button, Card, Group, List, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { formatDateTime } from "../../../lib/datetime";
import { useCreateServiceEntry, useServiceEntries, useUpdateServiceEntry, useVoidServiceEntry } from "../api/service-book";
import type { ServiceEntry, ServiceEntryCreate } from "../api/types";
import { formatDay, formatKm } from "../format";
import { type EntryFormMode, ServiceEntryForm } from "./ServiceEntryForm";
import { PassRequired } from "./PassRequired";

type Editing = { mode: EntryFormMode; entry: ServiceEntry | null } | null;

/**
 * The VIN's service book, newest first, with the workshop that wrote each entry. Members who may
 * write add entries (no pass needed); their own entries can be edited or voided while the edit
 * window is open, and corrected by a new entry after it. Reading needs a pass.
 */
export function ServiceHistory({ vin, rules, canWrite }: { vin: string; rules: [string, string][]; canWrite: boolean }) {
  const { t } = useTranslation();
  const entries = useServiceEntries(vin);
  const create = useCreateServiceEntry(vin);
  const update = useUpdateServiceEntry(vin);
  const voiding = useVoidServiceEntry(vin);
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const ruleTitle = (item: string) => rules.find(([id]) => id === item)?.[1] ?? item;

  const open = (next: Editing) => {
    create.reset();
    update.reset();
    setSaved(null);
    setEditing(next);
  };
  const submit = (body: ServiceEntryCreate) => {
    const done = () => {
      setSaved(editing?.mode === "edit" ? t("vehicle.history.updated") : t("vehicle.history.added"));
      setEditing(null);
    };
    if (editing?.mode === "edit" && editing.entry) {
      // An edit changes the entry itself; `corrects` belongs to a new entry only.
      const fields = { ...body };
      delete fields.corrects;
      update.mutate({ id: editing.entry.id, body: { ...fields, revision: editing.entry.revision } }, { onSuccess: done });
    } else {
      create.mutate(body, { onSuccess: done });
    }
  };

  return (
    <Card withBorder component="section" aria-labelledby="history-title">
      <Group justify="space-between">
        <Title order={2} size="h4" id="history-title">
          {t("vehicle.history.title")}
        </Title>
        {canWrite && editing === null && <Button onClick={() => open({ mode: "add", entry: null })}>{t("vehicle.history.add")}</Button>}
      </Group>
      {saved && (
        <Alert color="green" role="status" mt="xs">
          {saved}
        </Alert>
      )}
      {editing !== null && (
        <Stack mt="sm">
          <ServiceEntryForm
            key={`${editing.mode}-${editing.entry?.id ?? "new"}`}
            mode={editing.mode}
            entry={editing.entry}
            rules={rules}
            error={editing.mode === "edit" ? update.error : create.error}
            pending={create.isPending || update.isPending}
            onSubmit={submit}
            onCancel={() => open(null)}
          />
        </Stack>
      )}
      {voiding.isError && <ErrorMessage error={voiding.error} />}
      {entries.isPending && <Loader aria-label={t("app.loading")} />}
      {entries.isError && <PassRequired error={entries.error} what={t("vehicle.history.title")} />}
      {entries.isSuccess &&
        (entries.data.items.length === 0 ? (
          <Text mt="sm">{t("vehicle.history.empty")}</Text>
        ) : (
          <Stack component="ol" gap="sm" p={0} mt="sm" style={{ listStyle: "none" }}>
            {entries.data.items.map((entry) => (
              <EntryCard
                key={entry.id}
                entry={entry}
                ruleTitle={ruleTitle}
                canWrite={canWrite && editing === null}
                voidPending={voiding.isPending}
                onEdit={() => open({ mode: "edit", entry })}
                onCorrect={() => open({ mode: "correct", entry })}
                onVoid={() => voiding.mutate(entry)}
              />
            ))}
          </Stack>
        ))}
    </Card>
  );
}

function EntryCard({
  entry,
  ruleTitle,
  canWrite,
  voidPending,
  onEdit,
  onCorrect,
  onVoid,
}: {
  entry: ServiceEntry;
  ruleTitle: (item: string) => string;
  canWrite: boolean;
  voidPending: boolean;
  onEdit: () => void;
  onCorrect: () => void;
  onVoid: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [confirmVoid, setConfirmVoid] = useState(false);
  const voided = entry.status === "voided";
  const heading = `${formatDay(entry.performed_on, i18n.language)} · ${formatKm(entry.mileage_km, i18n.language)} · ${t(`vehicle.kind.${entry.kind}`)}`;
  const nextDue = [entry.next_due_date ? formatDay(entry.next_due_date, i18n.language) : null, entry.next_due_mileage_km !== null ? formatKm(entry.next_due_mileage_km, i18n.language) : null].filter(Boolean);
  return (
    <Card component="li" withBorder id={`entry-${entry.id}`} data-testid="service-entry" aria-label={heading} bg={voided ? "gray.0" : undefined}>
      <Group justify="space-between" align="start" gap="xs">
        <Text fw={600} td={voided ? "line-through" : undefined}>
          {heading}
        </Text>
        <Group gap="xs">
          {voided && (
            <Badge color="gray" variant="filled">
              {t("vehicle.history.voided")}
            </Badge>
          )}
          {entry.own && (
            <Badge color="blue" variant="light">
              {t("vehicle.history.own")}
            </Badge>
          )}
        </Group>
      </Group>
      <Stack gap={4} mt={4} td={voided ? "line-through" : undefined} style={{ overflowWrap: "anywhere" }}>
        <Text size="sm">
          {entry.workshop.city ? t("vehicle.history.workshop", { name: entry.workshop.name, city: entry.workshop.city }) : t("vehicle.history.workshopNoCity", { name: entry.workshop.name })}
        </Text>
        {entry.work_items.length > 0 && (
          <div>
            <Text size="sm" fw={500}>
              {t("vehicle.history.work")}
            </Text>
            <List size="sm">
              {entry.work_items.map((item) => (
                <List.Item key={item}>{ruleTitle(item)}</List.Item>
              ))}
            </List>
          </div>
        )}
        {entry.parts.length > 0 && (
          <Table className="aos-stack" aria-label={t("vehicle.history.partsOf", { entry: heading })} withTableBorder fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t("vehicle.form.partNumberColumn")}</Table.Th>
                <Table.Th>{t("vehicle.form.quantityColumn")}</Table.Th>
                <Table.Th>{t("vehicle.form.partDescriptionColumn")}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entry.parts.map((part, index) => (
                <Table.Tr key={`${part.number}-${index}`}>
                  <Table.Td data-label={t("vehicle.form.partNumberColumn")} ff="monospace">
                    {part.number}
                  </Table.Td>
                  <Table.Td data-label={t("vehicle.form.quantityColumn")}>{new Intl.NumberFormat(i18n.language).format(part.quantity)}</Table.Td>
                  <Table.Td data-label={t("vehicle.form.partDescriptionColumn")}>{part.description}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {entry.note && <Text size="sm">{t("vehicle.history.note", { note: entry.note })}</Text>}
        {nextDue.length > 0 && <Text size="sm">{t("vehicle.history.nextDue", { due: nextDue.join(t("vehicle.due.or")) })}</Text>}
      </Stack>
      {entry.corrects && (
        <Anchor href={`#entry-${entry.corrects}`} size="sm">
          {t("vehicle.history.corrects")}
        </Anchor>
      )}
      {entry.corrected_by.map((id) => (
        <Anchor key={id} href={`#entry-${id}`} size="sm">
          {t("vehicle.history.correctedBy")}
        </Anchor>
      ))}
      {canWrite && entry.own && !voided && (
        <Group gap="xs" mt="xs">
          {entry.editable ? (
            <>
              <Text size="xs" c="dimmed">
                {t("vehicle.history.editableUntil", { when: formatDateTime(entry.editable_until, i18n.language) })}
              </Text>
              <Button size="xs" variant="light" onClick={onEdit} aria-label={t("vehicle.history.editEntry", { entry: heading })}>
                {t("vehicle.history.edit")}
              </Button>
              {confirmVoid ? (
                <>
                  <Text size="sm">{t("vehicle.history.voidConfirm")}</Text>
                  <Button size="xs" color="red" loading={voidPending} onClick={onVoid}>
                    {t("vehicle.history.voidYes")}
                  </Button>
                  <Button size="xs" variant="default" onClick={() => setConfirmVoid(false)}>
                    {t("vehicle.form.cancel")}
                  </Button>
                </>
              ) : (
                <Button size="xs" variant="light" color="red" onClick={() => setConfirmVoid(true)} aria-label={t("vehicle.history.voidEntry", { entry: heading })}>
                  {t("vehicle.history.void")}
                </Button>
              )}
            </>
          ) : (
            <>
              <Text size="xs" c="dimmed">
                {t("vehicle.history.final")}
              </Text>
              <Button size="xs" variant="light" onClick={onCorrect} aria-label={t("vehicle.history.correctEntry", { entry: heading })}>
                {t("vehicle.history.correct")}
              </Button>
            </>
          )}
        </Group>
      )}
    </Card>
  );
}
