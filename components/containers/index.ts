export { ContainerCluster, type ContainerClusterArgs } from "./cluster";
export { ImageRepository, repositoryName, type ImageRepositoryArgs } from "./repository";
export { ContainerTier, calleeUrl, type ContainerTierArgs, type TierService } from "./tier";
export {
    ContainerService,
    CONTAINER_SERVICE_DEFAULTS,
    CONTAINER_USER,
    HEALTH_CHECK_COMMAND,
    type ContainerServiceArgs,
    type LoadBalancerRoute,
} from "./service";
