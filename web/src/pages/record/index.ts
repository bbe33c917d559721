export { HallOfFame, rank } from "./HallOfFame";
export { HeatMap } from "./HeatMap";
export { Profile } from "./Profile";
