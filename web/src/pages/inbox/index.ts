export { InboxPage } from "./Inbox";
