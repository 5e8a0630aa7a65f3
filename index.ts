/**
 * The platform: one AWS environment per stack. Config is read and validated first, so a bad
 * stack file fails before any resource is registered.
 */
import * as aws from "@pulumi/aws";
import { loadConfig } from "./config";
import { PlatformKey } from "./components/encryption";
import { Network } from "./components/network";

const config = loadConfig();

// Every resource goes through this provider, so every resource carries the stack's tags.
const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: config.tags } });
const opts = { providers: { aws: provider } };
const accountId = aws.getCallerIdentityOutput({}, { provider }).accountId;

const key = new PlatformKey("platform", { accountId, region: config.region, protect: config.protection.protectResources }, opts);

const network = new Network("network", { ...config.network, region: config.region, accountId, kmsKeyArn: key.arn }, opts);

export const region = config.region;
export const kmsKeyArn = key.arn;
export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const isolatedSubnetIds = network.isolatedSubnetIds;
export const flowLogGroup = network.flowLogGroupName;
