// The downloads feature's public surface: Service → Downloads (the agent, requirements, setup).
export { DownloadsPage } from "./routes/DownloadsPage";
