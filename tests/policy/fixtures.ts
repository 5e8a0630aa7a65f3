/** Resources several rule modules' tests share: a pipeline build project, KMS-encrypted queues and topics, a cache replication group. */
import { resource } from "../helpers/policy";
import { ACCOUNT } from "./event-resources";

export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-1`;
export const project = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:codebuild/project:Project", name, {
        name,
        serviceRole: "arn:aws:iam::123456789012:role/build",
        encryptionKey: "arn:aws:kms:us-east-1:123456789012:key/k",
        buildTimeout: 30,
        artifacts: { type: "CODEPIPELINE" },
        source: { type: "CODEPIPELINE", buildspec: "pipelines/test.yml" },
        environment: {
            computeType: "BUILD_GENERAL1_SMALL",
            image: "aws/codebuild/standard:7.0",
            type: "LINUX_CONTAINER",
            environmentVariables: [{ name: "PULUMI_ACCESS_TOKEN", type: "SECRETS_MANAGER", value: "pulumi/token" }],
        },
        ...inputs,
    });
export const queue = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:sqs/queue:Queue",
        name,
        { kmsMasterKeyId: KEY_ARN, ...inputs },
        {
            id: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`,
            outputs: { arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`, url: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`, name },
        },
    );
export const topic = (name: string, inputs: Record<string, unknown> = {}) =>
    resource(
        "aws:sns/topic:Topic",
        name,
        { kmsMasterKeyId: KEY_ARN, ...inputs },
        { id: `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`, outputs: { arn: `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`, name } },
    );
export const group = (name: string, inputs: Record<string, unknown> = {}, extra: Parameters<typeof resource>[3] = {}) =>
    resource(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        name,
        {
            description: name,
            engine: "valkey",
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
            authToken: "[secret]",
            numCacheClusters: 1,
            ...inputs,
        },
        extra,
    );
