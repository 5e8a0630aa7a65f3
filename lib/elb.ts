/**
 * Regions launched before August 2022 deliver ALB access logs as a regional Elastic Load
 * Balancing account; later regions as the logdelivery.elasticloadbalancing.amazonaws.com
 * service principal, and have no such account for getServiceAccount to return.
 */
export const REGIONS_WITH_ELB_LOG_ACCOUNT = new Set([
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-north-1",
    "me-south-1",
    "sa-east-1",
    "us-gov-west-1",
    "us-gov-east-1",
]);
