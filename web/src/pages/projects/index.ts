export { Projects } from "./Projects";
export { ProjectPage } from "./Project";
