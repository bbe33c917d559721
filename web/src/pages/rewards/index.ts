export { Rewards, RoundPage } from "./Rewards";
