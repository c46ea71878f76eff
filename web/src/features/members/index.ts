// The members feature: the workshop's members and invitations (owner, admin).
export { MembersPage } from "./routes/MembersPage";
