export { ClusterPage, useClusterStream } from "./Cluster";
