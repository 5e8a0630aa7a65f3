/**
 * The platform: one AWS environment per stack. Config is read and validated first, so a bad
 * stack file fails before any resource is registered.
 */
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { API_ROUTES } from "./config/sections/api";
import { AlarmTopic } from "./components/alarm-topic";
import { Analytics } from "./components/analytics";
import { Api } from "./components/api";
import { Cache } from "./components/cache";
import { Database } from "./components/database";
import { ContainerTier, type TierService } from "./components/containers";
import { Edge, OriginSecret } from "./components/edge";
import { Events } from "./components/events";
import { PlatformKey } from "./components/encryption";
import { boundaryPolicyArn, withPermissionsBoundary } from "./components/permissions-boundary";
import { GlobalTable } from "./components/global-table";
import { Network } from "./components/network";
import { platformPath } from "./components/names";
import { bundleService } from "./components/service-bundle";
import { ServiceParameters } from "./components/service-parameters";
import { StranglerRouting } from "./components/strangler";
import { WebCluster } from "./components/web-cluster";
import type { PlatformContext } from "./components/context";
import type { Stateful } from "./lib/stateful";
import { toParameters } from "./services/web/config";

const config = loadConfig();
// How hard stateful resources are to delete, from the profile (platform:protection).
const stateful: Stateful = {
    protect: config.protection.protectResources,
    deletionProtection: config.protection.deletionProtection,
    finalSnapshot: config.protection.finalSnapshot,
};

// Every resource goes through this provider, so every resource carries the stack's tags.
const provider = new aws.Provider("aws", { region: config.region as aws.Region, defaultTags: { tags: config.tags } });
// CloudFront's WAF web ACL and its log delivery exist only in us-east-1; same tags.
const usEast1 = new aws.Provider("aws-us-east-1", { region: "us-east-1", defaultTags: { tags: config.tags } });
const accountId = aws.getCallerIdentityOutput({}, { provider }).accountId;
// Every role the program creates carries the stack's permissions boundary, which the delivery
// project creates (see "The permissions boundary" in delivery/README.md): the deploy role may
// create roles only with it.
const opts = { providers: { aws: provider }, transformations: [withPermissionsBoundary(boundaryPolicyArn(accountId, pulumi.getProject(), config.stack))] };

// autoScalingVolumes: the web fleet's root volumes use this key, and Auto Scaling launches them.
// cloudwatch.amazonaws.com: alarms publish to the KMS-encrypted alarm topic.
// cloudfront.amazonaws.com: CloudFront reads the KMS-encrypted static assets (the bucket policy admits only this stack's distribution).
// delivery.logs.amazonaws.com: CloudFront's standard logs are written to a KMS-encrypted bucket.
// sns.amazonaws.com: the order events topic delivers into KMS-encrypted queues.
// emr-serverless.amazonaws.com: the Spark application encrypts its S3 logs with the key (EMR
// Serverless guide, "Encrypting logs": the service principal needs the key, as does the job's role). eventBridge: the bus and
// its archive are encrypted with the key, and the bus delivers into encrypted queues and topics.
const key = new PlatformKey(
    "platform",
    {
        accountId,
        region: config.region,
        autoScalingVolumes: true,
        servicePrincipals: [
            "cloudwatch.amazonaws.com",
            "cloudfront.amazonaws.com",
            "delivery.logs.amazonaws.com",
            "sns.amazonaws.com",
            ...(config.analytics.emr.mode === "serverless" ? ["emr-serverless.amazonaws.com"] : []),
        ],
        eventBridge: true,
        stateful,
    },
    opts,
);
const alarmTopic = new AlarmTopic("alarms", { ...config.alarms, kmsKeyArn: key.arn, accountId }, opts);

// What every component of this environment shares.
const context: PlatformContext = { region: config.region, accountId, kmsKeyArn: key.arn, alarmTopicArn: alarmTopic.arn, stateful };

const network = new Network("network", { ...config.network, context }, opts);

// The serving tier: the web fleet first, since the data stores admit its security group. Only
// CloudFront reaches its load balancer, proving it with the origin secret.
const originSecret = new OriginSecret("origin-secret", opts);
const webSettingsPath = `${platformPath("web")}/`;
const web = new WebCluster(
    "web",
    {
        ...config.web,
        context,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        allowPlainHttp: config.profile === "dev",
        service: bundleService(path.join(__dirname, "services", "web", "main.ts")),
        parameterPath: webSettingsPath,
        instanceTags: config.tags,
        ingress: { from: "cloudfront", originHeader: originSecret.header },
    },
    opts,
);
const dataStoreArgs = { context, vpcId: network.vpcId, subnetIds: network.isolatedSubnetIds, clientSecurityGroupIds: [web.securityGroupId] };
const cache = new Cache("cache", { ...config.cache, ...dataStoreArgs }, opts);
const database = new Database("database", { ...config.database, ...dataStoreArgs }, opts);
const table = new GlobalTable("table", { ...config.globalTable, context }, opts);

// What the web service needs to start: the routes to the data stores and its grants (the fleet waits for them below).
const webStartup: pulumi.Resource[] = [
    web.allowEgressTo("cache", cache.securityGroupId, cache.port),
    web.allowEgressTo("database-proxy", database.proxySecurityGroupId, database.port),
    cache.grantReadAuth(web),
    database.grantConnect(web),
    table.grantReadWrite(web),
];

// The analytics pipeline: Kinesis -> Firehose -> S3 data lake -> Glue -> EMR. The web service publishes events to the stream.
const analytics = new Analytics("analytics", { ...config.analytics, context, vpcId: network.vpcId, privateSubnetIds: network.privateSubnetIds }, opts);
webStartup.push(analytics.stream.grantWrite(web));

// Event-driven services: the order write path (PostgreSQL + outbox), the bus, the saga, SNS/SQS fan-out to the
// projector (read model) and the analytics bridge, and the analytics stream's processor.
const events = new Events(
    "events",
    {
        ...config.events,
        context,
        table,
        stream: analytics.stream,
        database,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
    },
    opts,
);

// Where the service finds its dependencies: endpoints, names and ARNs only, never secrets.
const webSettings = new ServiceParameters(
    "web-settings",
    {
        path: webSettingsPath,
        context,
        readers: [web],
        values: toParameters({
            CACHE_HOST: cache.endpoint,
            CACHE_PORT: cache.port.apply(String),
            CACHE_AUTH_SECRET_ARN: cache.authSecretArn,
            DB_HOST: database.proxyEndpoint,
            DB_PORT: database.port.apply(String),
            DB_NAME: database.databaseName,
            DB_USER: database.username,
            TABLE_NAME: table.tableName,
            ANALYTICS_STREAM_NAME: analytics.stream.name,
        }),
    },
    opts,
);

// The fleet boots last: a first deploy would otherwise start instances that find no settings, no
// grants and no database (the proxy serves only once its target registers), exit, and are replaced
// again and again until they exist. The components stand for all their children (the replication
// group and its AUTH secret; the instance, proxy and proxy target; the table; the stream).
web.launchFleet([...webStartup, webSettings, cache, database, table, analytics.stream]);

// Strangler fig: the migrated routes (and a weighted share of the rest) go to the new service.
const strangler = new StranglerRouting(
    "strangler",
    {
        ...config.edge.strangler,
        listenerArn: web.listenerArn,
        legacyTargetGroupArn: web.targetGroupArn,
        originHeader: originSecret.header,
        newService: {
            entry: path.join(__dirname, "services", "web-next", "handler.ts"),
            description: "The new web service: the routes migrated off the legacy fleet",
            kmsKeyArn: key.arn,
            logRetentionDays: config.edge.logRetentionDays,
            environment: { TABLE_NAME: table.tableName },
            grants: [table.queryPermission()],
        },
    },
    opts,
);

// The container tier: microservices on ECS Fargate, each deployed, scaled and failed alone. Public
// ones are routed from the web load balancer (and so from CloudFront); the rest only from their callers.
const serviceEnvironment = { PORT: "8080", AWS_REGION: config.region, TABLE_NAME: table.tableName, NODE_OPTIONS: "--enable-source-maps" };
// Each service's task role, through the table's grants (see ISSUE18 contract): catalog queries its own partition; inventory reads stock levels.
const serviceGrants: Record<string, TierService["grants"]> = {
    catalog: [table.partitionPermission({ name: "catalog-items", sid: "QueryCatalogItems", actions: ["Query"], partitionKeys: ["catalog"] })],
    inventory: [table.keyedItemsPermission({ name: "read-stock", sid: "ReadStock", actions: ["GetItem", "BatchGetItem"], prefixes: ["stock"] })],
};
const containers = new ContainerTier(
    "containers",
    {
        context,
        vpcId: network.vpcId,
        privateSubnetIds: network.privateSubnetIds,
        services: Object.fromEntries(
            Object.entries(config.containers.services).map(([name, s]) => [name, { ...s, environment: serviceEnvironment, grants: serviceGrants[name] ?? [] }]),
        ),
        loadBalancer: { listenerArn: web.listenerArn, albArn: web.albArn, albSecurityGroupId: web.albSecurityGroupId, originHeader: originSecret.header },
        keepImages: config.containers.keepImages,
        logRetentionDays: config.containers.logRetentionDays,
        execEnabled: config.containers.execEnabled,
    },
    opts,
);

// The edge: CloudFront (static assets from S3, everything else from the load balancer) and WAF.
const edge = new Edge(
    "edge",
    {
        ...config.edge,
        albDnsName: web.albDnsName,
        albPathPatterns: containers.publicPaths,
        originHttps: config.web.certificateArn !== undefined,
        originHeader: originSecret.header,
        context,
        usEast1,
    },
    opts,
);

// The API: Cognito-authenticated routes; the aggregator reads the read model and calls the web service through CloudFront.
const api = new Api(
    "api",
    {
        ...config.api,
        context,
        corsOrigins: edge.origins,
        routes: [
            {
                routeKey: API_ROUTES.health,
                public: true,
                handler: {
                    entry: path.join(__dirname, "services", "api", "health.ts"),
                    description: "API liveness (public)",
                    memoryMb: 128,
                    timeoutSeconds: 3,
                },
            },
            {
                routeKey: API_ROUTES.overview,
                handler: {
                    entry: path.join(__dirname, "services", "api", "overview.ts"),
                    description: "Aggregates the caller's read model and the web service, degrading per source",
                    timeoutSeconds: 10,
                    environment: {
                        TABLE_NAME: table.tableName,
                        WEB_URL: pulumi.interpolate`${edge.url}/`,
                        SOURCE_TIMEOUT_MS: String(config.api.aggregatorTimeoutMs),
                        BREAKER_FAILURE_THRESHOLD: String(config.api.circuitBreaker.failureThreshold),
                        BREAKER_OPEN_SECONDS: String(config.api.circuitBreaker.openSeconds),
                    },
                    grants: [table.queryPermission()],
                },
            },
        ],
    },
    opts,
);

export const region = config.region;
export const kmsKeyArn = key.arn;
export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const isolatedSubnetIds = network.isolatedSubnetIds;
export const flowLogGroup = network.flowLogGroupName;
export const url = edge.url;
export const cdnDomainName = edge.domainName;
export const assetsBucket = edge.assetsBucket;
export const apiUrl = api.url;
export const userPoolId = api.userPoolId;
export const userPoolClientId = api.userPoolClientId;
export const newServiceTargetGroupArn = strangler.targetGroupArn;
export const albDnsName = web.albDnsName;
export const webLogGroup = web.logGroupName;
export const cacheEndpoint = cache.endpoint;
export const cacheAuthSecretArn = cache.authSecretArn;
export const databaseProxyEndpoint = database.proxyEndpoint;
export const databaseSecretArn = database.secretArn;
export const tableName = table.tableName;
export const alarmTopicArn = alarmTopic.arn;
export const analyticsStreamName = analytics.stream.name;
export const analyticsStreamArn = analytics.stream.arn;
export const analyticsDeliveryStreamName = analytics.delivery.name;
export const lakeBuckets = analytics.lake.bucketNames;
export const glueDatabase = analytics.catalog.databaseName;
export const glueEtlJob = analytics.catalog.etlJobName;
export const emrMode = analytics.emrMode;
export const emrId = analytics.emrId;
export const eventBusName = events.bus.name;
export const eventArchiveName = events.bus.archiveName;
export const orderEventsTopicArn = events.topic.arn;
export const orderSagaArn = events.saga.arn;
export const orderSagaLogGroup = events.saga.logGroupName;
export const placeOrderFunctionName = events.orders.placeOrder.functionName;
export const eventQueueUrls = events.queueUrls;
export const containerCluster = containers.cluster.clusterName;
export const imageRepositories = Object.fromEntries(Object.entries(containers.repositories).map(([name, r]) => [name, r.url]));
