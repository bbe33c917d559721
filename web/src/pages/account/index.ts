export { AccountPanel } from "./Account";
export { ForgotPassword } from "./ForgotPassword";
