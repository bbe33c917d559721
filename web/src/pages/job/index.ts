export { JobPage } from "./Job";
