import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { OrderLine } from "../../shop";

/**
 * Asks before a pass is cancelled. "Keep the pass" is focused first, so Enter or Escape never
 * refunds: only the red button does.
 */
export function RefundDialog({ line, onConfirm, onCancel }: { line: OrderLine | null; onConfirm: (line: OrderLine) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={line !== null} onClose={onCancel} title={t("orders.refund.title")} centered>
      {line !== null && (
        <Stack>
          <Text>{t("orders.refund.text", { name: line.name })}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={onCancel} data-autofocus>
              {t("orders.refund.keep")}
            </Button>
            <Button color="red" onClick={() => onConfirm(line)}>
              {t("orders.refund.confirm")}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
