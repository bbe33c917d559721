export { LedgerPage } from "./Ledger";
