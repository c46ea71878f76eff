import { Loader, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { ErrorMessage } from "../../../components/ErrorMessage";
import { useRole } from "../../auth";
import { ExpiryEmailSettings } from "../../passes";
import { useCompanyProfile } from "../api/get-company-profile";
import { CloseOrganization } from "../components/CloseOrganization";
import { CompanyProfileForm } from "../components/CompanyProfileForm";

/** The company profile: every member reads it, owner and admin change it, the owner closes. */
export function CompanyPage() {
  const { t } = useTranslation();
  const profile = useCompanyProfile();
  const { may } = useRole();
  return (
    <Stack maw={720}>
      <Title order={1} size="h2">
        {t("company.title")}
      </Title>
      <Text>{t("company.intro")}</Text>
      {profile.isPending && <Loader aria-label={t("app.loading")} />}
      {profile.isError && <ErrorMessage error={profile.error} />}
      {profile.isSuccess && <CompanyProfileForm profile={profile.data} editable={may("company")} />}
      {may("notifications") && <ExpiryEmailSettings />}
      {may("close") && <CloseOrganization />}
    </Stack>
  );
}
