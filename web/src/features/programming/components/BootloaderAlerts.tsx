import { Alert } from "@mantine/core";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../../../lib/api/client";
import { hexAddress } from "../format";

type Session = Schemas["SessionRead"];

/** A job the agent gave up with the ECU's application erased: say which ECU waits in its
 * bootloader and what to do next. */
export function BootloaderAlerts({ session }: { session: Session }) {
  const { t } = useTranslation();
  return session.jobs
    .filter((job) => job.left_in_bootloader)
    .map((job) => (
      <Alert key={job.id} color="red" role="alert" data-testid="left-in-bootloader">
        {t("programming.session.leftInBootloader", { ecu: job.ecu_name, address: hexAddress(job.ecu_logical_address) })}
      </Alert>
    ));
}
