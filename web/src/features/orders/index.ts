// The orders feature's public surface: the order history with invoices, credit notes and refunds.
export { OrdersPage } from "./routes/OrdersPage";
