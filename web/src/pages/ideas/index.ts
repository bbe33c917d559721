export { Ideas } from "./Ideas";
export { IdeaPage } from "./Idea";
