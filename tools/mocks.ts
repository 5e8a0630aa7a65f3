import { createHash } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { modelVpc, type VpcInputs } from "./awsx-model";

export const MOCK_ACCOUNT = "123456789012";

/** Deterministic hex derived from a key, so the same program always plans the same ids. */
export function hex(key: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += createHash("sha1").update(`${key}#${i}`).digest("hex");
    return out.slice(0, length);
}

interface Ctx {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    region: string;
    /** The physical name AWS would hold: the explicit `name` input, or Pulumi's autoname. */
    physical: string;
    h: (n: number) => string;
}
type StateFn = (c: Ctx) => Record<string, unknown>;

const arn = (service: string, c: Ctx, resource: string, global = false) => `arn:aws:${service}:${global ? "" : c.region}:${MOCK_ACCOUNT}:${resource}`;

/** AWS-shaped ids and computed attributes for the resource types the platform creates. */
const STATE: Record<string, StateFn> = {
    "aws:ec2/vpc:Vpc": (c) => ({ id: `vpc-${c.h(17)}` }),
    "aws:ec2/securityGroup:SecurityGroup": (c) => ({ id: `sg-${c.h(17)}`, arn: arn("ec2", c, `security-group/sg-${c.h(17)}`) }),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (c) => ({ id: `sg-${c.h(17)}` }),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (c) => ({ id: `sgr-${c.h(17)}` }),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (c) => ({ id: `sgr-${c.h(17)}` }),
    "aws:ec2/launchTemplate:LaunchTemplate": (c) => ({
        id: `lt-${c.h(17)}`,
        latestVersion: 1,
        defaultVersion: 1,
        arn: arn("ec2", c, `launch-template/lt-${c.h(17)}`),
    }),
    "aws:ec2/flowLog:FlowLog": (c) => ({ id: `fl-${c.h(17)}` }),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (c) => ({ id: `vpce-${c.h(17)}` }),
    "aws:kms/key:Key": (c) => {
        const id = `${c.h(8)}-${c.h(12).slice(8, 12)}-4${c.h(15).slice(12, 15)}-a${c.h(18).slice(15, 18)}-${c.h(30).slice(18, 30)}`;
        return { id, keyId: id, arn: arn("kms", c, `key/${id}`) };
    },
    "aws:kms/alias:Alias": (c) => ({ id: c.inputs.name, arn: arn("kms", c, String(c.inputs.name)) }),
    "aws:iam/role:Role": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: `arn:aws:iam::${MOCK_ACCOUNT}:role${c.inputs.path ?? "/"}${c.physical}`,
        uniqueId: `AROA${c.h(17).toUpperCase()}`,
    }),
    // A managed policy's ARN holds its path, as a role's does.
    "aws:iam/policy:Policy": (c) => ({
        id: `arn:aws:iam::${MOCK_ACCOUNT}:policy${c.inputs.path ?? "/"}${c.physical}`,
        name: c.physical,
        arn: `arn:aws:iam::${MOCK_ACCOUNT}:policy${c.inputs.path ?? "/"}${c.physical}`,
    }),
    "aws:iam/instanceProfile:InstanceProfile": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: `arn:aws:iam::${MOCK_ACCOUNT}:instance-profile/${c.physical}`,
    }),
    "aws:cloudwatch/logGroup:LogGroup": (c) => ({ id: c.physical, name: c.physical, arn: arn("logs", c, `log-group:${c.physical}`) }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => ({ id: c.physical, name: c.physical, arn: arn("cloudwatch", c, `alarm:${c.physical}`) }),
    "aws:s3/bucket:Bucket": (c) => {
        const bucket = c.inputs.bucket ?? `${c.name.toLowerCase().slice(0, 55)}-${c.h(7)}`;
        return {
            id: bucket,
            bucket,
            arn: `arn:aws:s3:::${bucket}`,
            bucketDomainName: `${bucket}.s3.amazonaws.com`,
            bucketRegionalDomainName: `${bucket}.s3.${c.region}.amazonaws.com`,
            region: c.region,
        };
    },
    "aws:s3/bucketObjectv2:BucketObjectv2": (c) => ({ id: c.inputs.key, etag: c.h(32), versionId: c.h(32) }),
    "aws:lb/loadBalancer:LoadBalancer": (c) => {
        const suffix = `app/${c.physical}/${c.h(16)}`;
        return {
            arn: arn("elasticloadbalancing", c, `loadbalancer/${suffix}`),
            arnSuffix: suffix,
            dnsName: `${c.physical}-${parseInt(c.h(8), 16)}.${c.region}.elb.amazonaws.com`,
            zoneId: "Z35SXDOTRQ7X7K",
        };
    },
    "aws:lb/targetGroup:TargetGroup": (c) => {
        const suffix = `targetgroup/${c.physical.slice(0, 32)}/${c.h(16)}`;
        return { arn: arn("elasticloadbalancing", c, suffix), arnSuffix: suffix };
    },
    "aws:lb/listener:Listener": (c) => ({ arn: arn("elasticloadbalancing", c, `listener/app/${c.name}/${c.h(16)}/${c.h(16).split("").reverse().join("")}`) }),
    "aws:lb/listenerRule:ListenerRule": (c) => ({ arn: arn("elasticloadbalancing", c, `listener-rule/app/${c.name}/${c.h(16)}`) }),
    "aws:autoscaling/group:Group": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("autoscaling", c, `autoScalingGroup:${c.h(8)}:autoScalingGroupName/${c.physical}`),
    }),
    "aws:elasticache/replicationGroup:ReplicationGroup": (c) => {
        const id = c.inputs.replicationGroupId ?? c.physical;
        return {
            id,
            arn: arn("elasticache", c, `replicationgroup:${id}`),
            primaryEndpointAddress: `master.${id}.${c.h(6)}.${c.region.replace(/-(\w)\w+-(\d)$/, "$1$2")}.cache.amazonaws.com`,
            readerEndpointAddress: `replica.${id}.${c.h(6)}.cache.amazonaws.com`,
            port: c.inputs.port ?? 6379,
        };
    },
    "aws:elasticache/subnetGroup:SubnetGroup": (c) => ({ id: c.physical, name: c.physical, arn: arn("elasticache", c, `subnetgroup:${c.physical}`) }),
    "aws:rds/instance:Instance": (c) => {
        const id = c.inputs.identifier ?? c.physical;
        const address = `${id}.c${c.h(11)}.${c.region}.rds.amazonaws.com`;
        const port = c.inputs.port ?? 5432;
        const secretArn = arn("secretsmanager", c, `secret:rds!db-${c.h(8)}-${c.h(4)}-${c.h(12)}-${c.h(6)}`);
        return {
            id,
            identifier: id,
            address,
            port,
            endpoint: `${address}:${port}`,
            arn: arn("rds", c, `db:${id}`),
            resourceId: `db-${c.h(26).toUpperCase()}`,
            masterUserSecrets: c.inputs.manageMasterUserPassword
                ? [{ secretArn, kmsKeyId: c.inputs.masterUserSecretKmsKeyId ?? arn("kms", c, "alias/aws/secretsmanager"), secretStatus: "active" }]
                : [],
        };
    },
    "aws:rds/proxy:Proxy": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("rds", c, `db-proxy:prx-${c.h(17)}`),
        endpoint: `${c.physical}.proxy-c${c.h(11)}.${c.region}.rds.amazonaws.com`,
    }),
    // A proxy has one target group, named "default", whose id is the proxy's name.
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": (c) => ({
        id: c.inputs.dbProxyName,
        name: "default",
        arn: arn("rds", c, `target-group:prx-tg-${c.h(17)}`),
    }),
    "aws:rds/subnetGroup:SubnetGroup": (c) => ({ id: c.physical, name: c.physical, arn: arn("rds", c, `subgrp:${c.physical}`) }),
    "aws:rds/parameterGroup:ParameterGroup": (c) => ({ id: c.physical, name: c.physical, arn: arn("rds", c, `pg:${c.physical}`) }),
    "aws:dynamodb/table:Table": (c) => {
        const tableArn = arn("dynamodb", c, `table/${c.physical}`);
        return {
            id: c.physical,
            name: c.physical,
            arn: tableArn,
            streamArn: c.inputs.streamEnabled ? `${tableArn}/stream/2026-01-01T00:00:00.000` : undefined,
            streamLabel: c.inputs.streamEnabled ? "2026-01-01T00:00:00.000" : undefined,
        };
    },
    "aws:kinesis/stream:Stream": (c) => ({ id: arn("kinesis", c, `stream/${c.physical}`), name: c.physical, arn: arn("kinesis", c, `stream/${c.physical}`) }),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (c) => ({
        id: arn("firehose", c, `deliverystream/${c.physical}`),
        name: c.physical,
        arn: arn("firehose", c, `deliverystream/${c.physical}`),
    }),
    "aws:lambda/function:Function": (c) => {
        const fnArn = arn("lambda", c, `function:${c.physical}`);
        return {
            id: c.physical,
            name: c.physical,
            arn: fnArn,
            qualifiedArn: `${fnArn}:1`,
            version: "1",
            invokeArn: `arn:aws:apigateway:${c.region}:lambda:path/2015-03-31/functions/${fnArn}/invocations`,
        };
    },
    "aws:sqs/queue:Queue": (c) => {
        const queue = c.inputs.name ?? (c.inputs.fifoQueue ? `${c.physical}.fifo` : c.physical);
        return {
            id: `https://sqs.${c.region}.amazonaws.com/${MOCK_ACCOUNT}/${queue}`,
            name: queue,
            url: `https://sqs.${c.region}.amazonaws.com/${MOCK_ACCOUNT}/${queue}`,
            arn: arn("sqs", c, String(queue)),
        };
    },
    "aws:sns/topic:Topic": (c) => ({ id: arn("sns", c, c.physical), name: c.physical, arn: arn("sns", c, c.physical) }),
    "aws:sfn/stateMachine:StateMachine": (c) => ({
        id: arn("states", c, `stateMachine:${c.physical}`),
        name: c.physical,
        arn: arn("states", c, `stateMachine:${c.physical}`),
    }),
    "aws:cloudwatch/eventBus:EventBus": (c) => ({ id: c.physical, name: c.physical, arn: arn("events", c, `event-bus/${c.physical}`) }),
    "aws:cloudwatch/eventRule:EventRule": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("events", c, `rule/${c.inputs.eventBusName ?? "default"}/${c.physical}`),
    }),
    "aws:cloudwatch/eventArchive:EventArchive": (c) => ({ id: c.physical, name: c.physical, arn: arn("events", c, `archive/${c.physical}`) }),
    "aws:secretsmanager/secret:Secret": (c) => ({
        id: arn("secretsmanager", c, `secret:${c.physical}-${c.h(6)}`),
        name: c.physical,
        arn: arn("secretsmanager", c, `secret:${c.physical}-${c.h(6)}`),
    }),
    "aws:ssm/parameter:Parameter": (c) => ({ id: c.inputs.name ?? c.physical, arn: arn("ssm", c, `parameter${c.inputs.name ?? `/${c.physical}`}`) }),
    "aws:apigatewayv2/api:Api": (c) => ({
        id: c.h(10),
        apiEndpoint: `https://${c.h(10)}.execute-api.${c.region}.amazonaws.com`,
        executionArn: arn("execute-api", c, c.h(10)),
        arn: `arn:aws:apigateway:${c.region}::/apis/${c.h(10)}`,
    }),
    "aws:apigatewayv2/stage:Stage": (c) => ({
        id: c.inputs.name ?? c.physical,
        invokeUrl: `https://${c.h(10)}.execute-api.${c.region}.amazonaws.com/${c.inputs.name ?? c.physical}`,
    }),
    "aws:cognito/userPool:UserPool": (c) => {
        const id = `${c.region}_${c.h(9)}`;
        return { id, arn: arn("cognito-idp", c, `userpool/${id}`), endpoint: `cognito-idp.${c.region}.amazonaws.com/${id}` };
    },
    "aws:cognito/userPoolClient:UserPoolClient": (c) => ({ id: c.h(26) }),
    "aws:cloudfront/distribution:Distribution": (c) => ({
        id: `E${c.h(13).toUpperCase()}`,
        arn: `arn:aws:cloudfront::${MOCK_ACCOUNT}:distribution/E${c.h(13).toUpperCase()}`,
        domainName: `d${c.h(13)}.cloudfront.net`,
        hostedZoneId: "Z2FDTNDATAQYW2",
        status: "Deployed",
    }),
    // CloudFront's access controls and policies have generated ids; log deliveries are CloudWatch Logs objects.
    "aws:cloudfront/originAccessControl:OriginAccessControl": (c) => ({ id: `E${c.h(13).toUpperCase()}`, etag: `E${c.h(12).toUpperCase()}` }),
    "aws:cloudfront/cachePolicy:CachePolicy": (c) => ({ id: uuidOf(c), etag: `E${c.h(12).toUpperCase()}` }),
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": (c) => ({ id: uuidOf(c), etag: `E${c.h(12).toUpperCase()}` }),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": (c) => ({ id: uuidOf(c), etag: `E${c.h(12).toUpperCase()}` }),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("logs", c, `delivery-source:${c.physical}`),
        service: "cloudfront",
    }),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("logs", c, `delivery-destination:${c.physical}`),
        deliveryDestinationType: "S3",
    }),
    "aws:cloudwatch/logDelivery:LogDelivery": (c) => ({ id: c.h(16), arn: arn("logs", c, `delivery:${c.h(16)}`) }),
    "aws:apigatewayv2/authorizer:Authorizer": (c) => ({ id: c.h(6) }),
    "aws:apigatewayv2/integration:Integration": (c) => ({ id: c.h(7) }),
    "aws:apigatewayv2/route:Route": (c) => ({ id: c.h(7) }),
    "aws:wafv2/webAcl:WebAcl": (c) => ({
        id: `${c.h(8)}-${c.h(4)}`,
        arn: `arn:aws:wafv2:${c.inputs.scope === "CLOUDFRONT" ? "us-east-1" : c.region}:${MOCK_ACCOUNT}:${c.inputs.scope === "CLOUDFRONT" ? "global" : "regional"}/webacl/${c.physical}/${c.h(8)}`,
    }),
    "aws:codestarconnections/connection:Connection": (c) => ({
        id: arn("codeconnections", c, `connection/${c.h(8)}`),
        arn: arn("codeconnections", c, `connection/${c.h(8)}`),
        connectionStatus: "PENDING",
    }),
    "aws:codebuild/project:Project": (c) => ({ id: c.physical, name: c.physical, arn: arn("codebuild", c, `project/${c.physical}`) }),
    "aws:codepipeline/pipeline:Pipeline": (c) => ({ id: c.physical, name: c.physical, arn: arn("codepipeline", c, c.physical) }),
    "aws:emr/cluster:Cluster": (c) => ({
        id: `j-${c.h(13).toUpperCase()}`,
        arn: arn("elasticmapreduce", c, `cluster/j-${c.h(13).toUpperCase()}`),
        masterPublicDns: `ip-10-20-0-10.${c.region}.compute.internal`,
    }),
    "aws:emrserverless/application:Application": (c) => ({ id: `00${c.h(14)}`, arn: arn("emr-serverless", c, `/applications/00${c.h(14)}`) }),
    // EMR fleets and policies are identified within their cluster; security configurations by name.
    "aws:emr/instanceFleet:InstanceFleet": (c) => ({ id: `if-${c.h(13).toUpperCase()}`, provisionedSpotCapacity: 0, provisionedOnDemandCapacity: 0 }),
    "aws:emr/managedScalingPolicy:ManagedScalingPolicy": (c) => ({ id: c.inputs.clusterId }),
    "aws:emr/securityConfiguration:SecurityConfiguration": (c) => ({ id: c.physical, name: c.physical, creationDate: "2026-01-01T00:00:00Z" }),
    // Glue names its catalog objects by catalog id (the account), database and name.
    "aws:glue/catalogDatabase:CatalogDatabase": (c) => ({
        id: `${MOCK_ACCOUNT}:${c.physical}`,
        name: c.physical,
        catalogId: MOCK_ACCOUNT,
        arn: arn("glue", c, `database/${c.physical}`),
    }),
    "aws:glue/catalogTable:CatalogTable": (c) => ({
        id: `${MOCK_ACCOUNT}:${c.inputs.databaseName}:${c.physical}`,
        name: c.physical,
        catalogId: MOCK_ACCOUNT,
        arn: arn("glue", c, `table/${c.inputs.databaseName}/${c.physical}`),
    }),
    "aws:glue/securityConfiguration:SecurityConfiguration": (c) => ({ id: c.physical, name: c.physical }),
    "aws:glue/job:Job": (c) => ({ id: c.physical, name: c.physical, arn: arn("glue", c, `job/${c.physical}`) }),
    "aws:glue/crawler:Crawler": (c) => ({ id: c.physical, name: c.physical, arn: arn("glue", c, `crawler/${c.physical}`) }),
    "aws:glue/trigger:Trigger": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("glue", c, `trigger/${c.physical}`),
        state: c.inputs.startOnCreation ? "ACTIVATED" : "CREATED",
    }),
    "aws:scheduler/schedule:Schedule": (c) => ({
        id: `${c.inputs.groupName ?? "default"}/${c.physical}`,
        name: c.physical,
        groupName: c.inputs.groupName ?? "default",
        arn: arn("scheduler", c, `schedule/${c.inputs.groupName ?? "default"}/${c.physical}`),
    }),
    "aws:cloudwatch/logStream:LogStream": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("logs", c, `log-group:${c.inputs.logGroupName}:log-stream:${c.physical}`),
    }),
    "aws:sns/topicSubscription:TopicSubscription": (c) => ({
        id: `${c.inputs.topic}:${c.h(8)}-${c.h(4)}-${c.h(4)}-${c.h(4)}-${c.h(12)}`,
        arn: `${c.inputs.topic}:${c.h(8)}-${c.h(4)}-${c.h(4)}-${c.h(4)}-${c.h(12)}`,
        pendingConfirmation: c.inputs.protocol === "email",
    }),
    // ECS names clusters and services by ARN; a task definition's ARN carries its family and revision.
    "aws:ecs/cluster:Cluster": (c) => ({ id: arn("ecs", c, `cluster/${c.physical}`), name: c.physical, arn: arn("ecs", c, `cluster/${c.physical}`) }),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (c) => ({ id: c.inputs.clusterName }),
    "aws:ecs/taskDefinition:TaskDefinition": (c) => ({
        id: c.inputs.family,
        revision: 1,
        arn: arn("ecs", c, `task-definition/${c.inputs.family}:1`),
        arnWithoutRevision: arn("ecs", c, `task-definition/${c.inputs.family}`),
    }),
    "aws:ecs/service:Service": (c) => {
        const cluster = String(c.inputs.cluster ?? "default")
            .split("/")
            .pop();
        return { id: arn("ecs", c, `service/${cluster}/${c.physical}`), name: c.physical };
    },
    "aws:ecr/repository:Repository": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("ecr", c, `repository/${c.physical}`),
        registryId: MOCK_ACCOUNT,
        repositoryUrl: `${MOCK_ACCOUNT}.dkr.ecr.${c.region}.amazonaws.com/${c.physical}`,
    }),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (c) => ({ id: c.inputs.repository, registryId: MOCK_ACCOUNT }),
    "aws:servicediscovery/httpNamespace:HttpNamespace": (c) => ({
        id: `ns-${c.h(16)}`,
        arn: arn("servicediscovery", c, `namespace/ns-${c.h(16)}`),
        httpName: c.physical,
    }),
    "aws:appautoscaling/target:Target": (c) => ({ id: c.inputs.resourceId, arn: arn("application-autoscaling", c, `scalable-target/${c.h(32)}`) }),
    "aws:appautoscaling/policy:Policy": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("autoscaling", c, `scalingPolicy:${uuidOf(c)}:resource/${c.inputs.serviceNamespace}/${c.inputs.resourceId}:policyName/${c.physical}`),
    }),
    "random:index/randomPassword:RandomPassword": (c) => ({ id: "none", result: `mock-${c.h(40)}` }),
    // Elastic Beanstalk: the environment's own Auto Scaling group (awseb-<env id>-stack-AWSEBAutoScalingGroup-<suffix>) and CNAME.
    "aws:elasticbeanstalk/application:Application": (c) => ({ id: c.physical, name: c.physical, arn: arn("elasticbeanstalk", c, `application/${c.physical}`) }),
    "aws:elasticbeanstalk/applicationVersion:ApplicationVersion": (c) => ({
        id: c.physical,
        name: c.physical,
        arn: arn("elasticbeanstalk", c, `applicationversion/${c.inputs.application}/${c.physical}`),
    }),
    "aws:elasticbeanstalk/environment:Environment": (c) => {
        const envId = `e-${c.h(10)}`;
        return {
            id: envId,
            name: c.physical,
            arn: arn("elasticbeanstalk", c, `environment/${c.inputs.application}/${c.physical}`),
            cname: `${c.physical}.${c.region}.elasticbeanstalk.com`,
            endpointUrl: `${c.physical}.${c.region}.elasticbeanstalk.com`,
            autoscalingGroups: [`awseb-${envId}-stack-AWSEBAutoScalingGroup-${c.h(12).toUpperCase()}`],
            instances: [],
            launchConfigurations: [],
            loadBalancers: [],
        };
    },
    "aws:ebs/encryptionByDefault:EncryptionByDefault": () => ({ id: "default" }),
    "aws:autoscaling/attachment:Attachment": (c) => ({ id: `${c.inputs.autoscalingGroupName}-${c.h(8)}` }),
};

function uuidOf(c: Ctx): string {
    const x = c.h(32);
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** Resource types whose AWS name Pulumi derives from the logical name (autonaming). */
function autoname(type: string, name: string, inputs: Record<string, unknown>, h: (n: number) => string): string {
    if (typeof inputs.name === "string") return inputs.name;
    if (typeof inputs.namePrefix === "string") return `${inputs.namePrefix}${h(7)}`;
    return type.startsWith("aws:") ? `${name}-${h(7)}` : name;
}

export interface MockContext {
    region: string;
    /** Salts ids, so two stacks' resources differ as they would in two real deployments. */
    stack: string;
}

/** Pulumi mocks with state shaped like AWS's: ids, ARNs, endpoints and DNS names. */
export function createMocks(ctx: MockContext): pulumi.runtime.Mocks {
    return {
        newResource(args) {
            const key = `${ctx.stack}::${args.type}::${args.name}`;
            const h = (n: number) => hex(key, n);
            const region = typeof args.inputs.region === "string" ? args.inputs.region : ctx.region;
            if (args.type === "awsx:ec2:Vpc") return { id: `vpc-${h(17)}`, state: vpcState(args.inputs, region, key, h) };
            if (args.custom === false) return { id: undefined, state: {} }; // components have no cloud state
            const c: Ctx = { type: args.type, name: args.name, inputs: args.inputs, region, physical: autoname(args.type, args.name, args.inputs, h), h };
            const computed = (STATE[args.type] ?? genericState)(c);
            const id = (computed.id as string | undefined) ?? (computed.arn as string | undefined) ?? `${c.physical}`;
            const state: Record<string, unknown> = { ...args.inputs, ...computed };
            if ("name" in state || typeof computed.name === "string") state.name = args.inputs.name ?? computed.name ?? c.physical;
            delete state.id;
            return { id, state };
        },
        call(args) {
            const handler = INVOKES[args.token];
            if (!handler) throw new Error(`offline engine: no mock for function ${args.token}; add one to tools/mocks.ts`);
            return handler(args.inputs, ctx);
        },
    };
}

function genericState(c: Ctx): Record<string, unknown> {
    const [, mod, rest] = /^aws:([^/]+)\/[^:]+:(.+)$/.exec(c.type) ?? [];
    if (!mod) return { id: `${c.physical}` };
    const kind = rest.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase();
    return { id: c.physical, arn: arn(mod, c, `${kind}/${c.physical}`) };
}

function vpcState(inputs: VpcInputs, region: string, key: string, h: (n: number) => string): Record<string, unknown> {
    const model = modelVpc(inputs, region, (kind, k) => `${kind}-${hex(`${key}/${kind}/${k}`, 17)}`);
    const idsOf = (tier: string) => model.subnets.filter((s) => s.tier === tier).map((s) => s.id);
    return {
        vpcId: `vpc-${h(17)}`,
        publicSubnetIds: idsOf("Public"),
        privateSubnetIds: idsOf("Private"),
        isolatedSubnetIds: idsOf("Isolated"),
        subnetLayout: model.subnets.map((s) => ({ type: s.tier, cidrBlocks: [s.cidr], availabilityZone: s.az })),
    };
}

const AZ_LETTERS = "abcdef";
/** Solution stack names as ListAvailableSolutionStacks spells them, newest first. */
const SOLUTION_STACKS = [
    "64bit Amazon Linux 2023 v6.6.2 running Node.js 22",
    "64bit Amazon Linux 2023 v6.6.2 running Node.js 20",
    "64bit Amazon Linux 2023 v6.6.1 running Node.js 22",
];
const INVOKES: Record<string, (inputs: Record<string, unknown>, ctx: MockContext) => Record<string, unknown>> = {
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: MOCK_ACCOUNT,
        arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/deployer`,
        userId: "AIDAMOCKUSER",
        id: MOCK_ACCOUNT,
    }),
    "aws:index/getRegion:getRegion": (_, ctx) => ({
        name: ctx.region,
        region: ctx.region,
        id: ctx.region,
        endpoint: `ec2.${ctx.region}.amazonaws.com`,
        description: ctx.region,
    }),
    "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_, ctx) => ({
        names: [...AZ_LETTERS].map((l) => `${ctx.region}${l}`),
        zoneIds: [...AZ_LETTERS].map((_l, i) => `use1-az${i + 1}`),
        id: ctx.region,
    }),
    // The AWS-managed prefix list of CloudFront's origin-facing addresses.
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": (inputs, ctx) => ({
        id: "pl-3b927c52",
        name: inputs.name ?? "com.amazonaws.global.cloudfront.origin-facing",
        arn: `arn:aws:ec2:${ctx.region}:aws:prefix-list/pl-3b927c52`,
        maxEntries: 55,
    }),
    // AWS's public AMI parameters, e.g. /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64.
    "aws:ssm/getParameter:getParameter": (inputs, ctx) => {
        if (typeof inputs.name !== "string" || !inputs.name.startsWith("/aws/service/ami-"))
            throw new Error(`offline engine: no mock for SSM parameter ${inputs.name}; add one to tools/mocks.ts`);
        const ami = `ami-${hex(`${ctx.region}${inputs.name}`, 17)}`;
        return {
            id: inputs.name,
            name: inputs.name,
            type: "String",
            value: ami,
            insecureValue: ami,
            version: 1,
            arn: `arn:aws:ssm:${ctx.region}::parameter${inputs.name}`,
            withDecryption: true,
        };
    },
    // Elastic Beanstalk's solution stacks: the newest Node.js 22 on Amazon Linux 2023 platform version answers its usual pattern.
    "aws:elasticbeanstalk/getSolutionStack:getSolutionStack": (inputs) => {
        const name = SOLUTION_STACKS.find((s) => new RegExp(String(inputs.nameRegex)).test(s));
        if (!name) throw new Error(`offline engine: no mocked solution stack matches ${inputs.nameRegex}; add one to tools/mocks.ts`);
        return { id: name, name, nameRegex: inputs.nameRegex, mostRecent: inputs.mostRecent };
    },
    // The regional Elastic Load Balancing account that writes ALB access logs (us-east-1's shown).
    "aws:elb/getServiceAccount:getServiceAccount": () => ({ id: "127311923021", arn: "arn:aws:iam::127311923021:root" }),
};
