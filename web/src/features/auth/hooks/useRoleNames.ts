import { useTranslation } from "react-i18next";
import { formatAlternatives } from "../../../lib/list";

/** Role codes as the reader's words: ["owner", "admin"] → "Owner or Admin". */
export function useRoleNames(): (roles: readonly string[]) => string {
  const { t, i18n } = useTranslation();
  return (roles) => formatAlternatives(roles.map((role) => t(`roles.${role}`, { defaultValue: role })), i18n.language);
}
