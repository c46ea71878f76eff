// The usage feature's public surface: the usage report and time used per pass.
export { UsagePage } from "./routes/UsagePage";
