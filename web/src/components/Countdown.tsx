import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { formatRemaining, remaining } from "../lib/countdown";

/** Time left until `validUntil` (ISO 8601), updated every second; "Expired" once it passed. */
export function Countdown({ validUntil }: { validUntil: string }) {
  const { t } = useTranslation();
  const until = Date.parse(validUntil);
  const [now, setNow] = useState(() => Date.now());
  const left = remaining(until, now);

  useEffect(() => {
    if (left.expired) return undefined;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [left.expired]);

  // role="timer" is not announced on every tick (its live region is off by default).
  return (
    <time role="timer" dateTime={validUntil} data-expired={left.expired}>
      {left.expired ? t("countdown.expired") : t("countdown.left", { time: formatRemaining(left) })}
    </time>
  );
}
