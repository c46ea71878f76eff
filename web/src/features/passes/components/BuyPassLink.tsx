import { Button, type ButtonProps, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { rolesFor, useRole, useRoleNames } from "../../auth";

/**
 * The way to buy more time, from wherever time runs short (AIR, programming): a link to the
 * passes for a member who may buy, and for one who may not (a technician) who can; `quiet`
 * leaves that out where buying is only an aside.
 */
export function BuyPassLink({ label, quiet = false, ...button }: { label: string; quiet?: boolean } & Pick<ButtonProps, "size" | "variant">) {
  const { t } = useTranslation();
  const role = useRole();
  const roleNames = useRoleNames();
  if (role.may("buy")) {
    return (
      <Button component={Link} to="/passes" {...button}>
        {label}
      </Button>
    );
  }
  if (quiet || role.pending || role.error !== null) return null;
  return <Text size="sm">{t("access.noBuying", { roles: roleNames(rolesFor("buy")) })}</Text>;
}
