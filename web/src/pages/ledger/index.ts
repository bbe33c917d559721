export { LedgerPage } from "./Ledger";
export { ConfirmButton, mayConfirm } from "./ConfirmButton";
