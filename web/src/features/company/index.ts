// The company feature: the workshop's company data and closing the workshop.
export { CompanyPage } from "./routes/CompanyPage";
