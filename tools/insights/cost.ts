/**
 * The monthly cost model of a plan: a pure function of the planned resources, the stack's usage
 * assumptions (`platform:usage`, or the delivery project's `usage`) and a price table. No I/O, so
 * the `cost` and `plan` commands and a budget check can all call it.
 */
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Plan, PlannedResource } from "../engine";
import { PRICES, type PriceTable } from "./prices";
import { defaults as usageDefaults, type UsageConfig } from "../../config/sections/usage";

export type { UsageConfig } from "../../config/sections/usage";
export type { Price, PriceTable, Confidence } from "./prices";

/** The delivery project's usage (`platform-delivery:usage`). */
export interface DeliveryUsage {
    /** Runs of each pipeline per month. */
    runsPerMonth: number;
    /** Minutes the Source action takes per run. */
    sourceMinutes: number;
    /** Minutes each build stage takes per run. */
    buildMinutes: { test: number; images: number; preview: number; deploy: number };
}

export interface CostUsage {
    platform?: UsageConfig;
    delivery?: DeliveryUsage;
    /**
     * The fewest tasks each container service runs once it has an image (`platform:containers.services.<name>.minTasks`):
     * the plan of a stack whose images the pipeline has not yet built holds 0 tasks, but the stack it deploys runs these.
     */
    containerTasks?: Record<string, number>;
}

export interface CostItem {
    urn: string;
    type: string;
    name: string;
    /** The top-level component the resource belongs to, e.g. `platform:web:WebCluster web`. */
    component: string;
    /** USD per month, rounded to cents. */
    monthly: number;
    /** How it was computed, e.g. `3 x $0.045/h x 730 h`. */
    basis: string;
}

export interface Unpriced {
    type: string;
    why: string;
}

export interface CostEstimate {
    stack: string;
    region: string;
    currency: "USD";
    /** The sum of the items' monthly amounts, to the cent. */
    monthly: number;
    /** Largest first. */
    items: CostItem[];
    unpriced: Unpriced[];
}

/** Types that cost nothing by themselves, each with why. Components (`platform:*`) are free too: their children carry the cost. */
export const FREE: Record<string, string> = {
    "pulumi:pulumi:Stack": "the stack itself is no AWS resource",
    "pulumi:providers:aws": "a provider is no AWS resource",
    "random:index/randomPassword:RandomPassword": "generated locally, no AWS resource",
    "aws:iam/role:Role": "IAM is free",
    "aws:iam/rolePolicy:RolePolicy": "IAM is free",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM is free",
    "aws:iam/instanceProfile:InstanceProfile": "IAM is free",
    "aws:iam/policy:Policy": "IAM is free",
    "aws:ec2/securityGroup:SecurityGroup": "security groups are free",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "security groups are free",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "security group rules are free",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "security group rules are free",
    "aws:elasticache/subnetGroup:SubnetGroup": "subnet groups are free",
    "aws:rds/subnetGroup:SubnetGroup": "subnet groups are free",
    "aws:rds/parameterGroup:ParameterGroup": "parameter groups are free",
    "aws:ssm/parameter:Parameter": "standard-tier SSM parameters are free (an Advanced one is reported unpriced)",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "CloudFront policies are free; the distribution carries the cost",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "CloudFront origin access control is free",
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": "CloudFront policies are free",
    "aws:cloudfront/cachePolicy:CachePolicy": "CloudFront policies are free",
    "aws:glue/catalogDatabase:CatalogDatabase": "the first million Data Catalog objects are free",
    "aws:glue/catalogTable:CatalogTable": "the first million Data Catalog objects are free",
    "aws:glue/securityConfiguration:SecurityConfiguration": "a Glue security configuration is free",
    "aws:glue/trigger:Trigger": "triggers are free; the runs they start are priced on the job and crawler",
    "aws:emr/securityConfiguration:SecurityConfiguration": "an EMR security configuration is free",
    "aws:emr/managedScalingPolicy:ManagedScalingPolicy": "managed scaling is free; the instances are priced on the cluster and fleets",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "bucket settings are free; the bucket carries storage and requests",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "bucket settings are free",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket settings are free (old versions count in usage.storage.s3Gb)",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "bucket settings are free (KMS requests count in usage.logs.kmsRequestsPerMonthThousands)",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket settings are free",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket policies are free",
    "aws:s3/bucketLogging:BucketLogging": "server access logging is free; the log objects count in usage.storage.s3Gb",
    "aws:s3/bucketObjectv2:BucketObjectv2": "a few KB of scripts, priced within the bucket's storage",
    "aws:kms/alias:Alias": "aliases are free",
    "aws:secretsmanager/secretVersion:SecretVersion": "versions are included in the secret's monthly charge",
    "aws:sns/topicPolicy:TopicPolicy": "policies are free",
    "aws:sns/topicSubscription:TopicSubscription": "deliveries to SQS and Lambda are free; the publishes are priced on the topic",
    "aws:sqs/queuePolicy:QueuePolicy": "policies are free",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "policies are free",
    "aws:lambda/permission:Permission": "permissions are free",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "mappings are free; their polling counts in the queue and stream usage",
    "aws:cloudwatch/eventRule:EventRule": "rules are free; events are priced on the bus",
    "aws:cloudwatch/eventTarget:EventTarget": "targets are free",
    "aws:cloudwatch/logStream:LogStream": "streams are free; the log group carries ingestion and storage",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "free; delivered logs count in usage.logs.ingestGbPerMonth",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "free; delivered logs count in usage.logs.ingestGbPerMonth",
    "aws:cloudwatch/logDelivery:LogDelivery": "free; delivered logs count in usage.logs.ingestGbPerMonth",
    "aws:lb/targetGroup:TargetGroup": "included in the load balancer's hours and LCUs",
    "aws:ecs/cluster:Cluster": "ECS clusters are free on Fargate; the tasks are priced on each service (Container Insights metrics count in usage.logs)",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "capacity provider associations are free",
    "aws:ecs/taskDefinition:TaskDefinition": "task definitions are free; the running tasks are priced on the service",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "lifecycle policies are free",
    "aws:servicediscovery/httpNamespace:HttpNamespace": "an HTTP namespace is free; Service Connect makes no Cloud Map DNS queries or health checks",
    "aws:appautoscaling/target:Target": "Application Auto Scaling is free",
    "aws:appautoscaling/policy:Policy": "Application Auto Scaling is free",
    "aws:lb/listener:Listener": "included in the load balancer's hours and LCUs",
    "aws:lb/listenerRule:ListenerRule": "included in the load balancer's LCUs",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "included in the load balancer",
    "aws:ec2/launchTemplate:LaunchTemplate": "launch templates are free; the instances are priced on the Auto Scaling group",
    "aws:autoscaling/policy:Policy": "scaling policies are free",
    "aws:autoscaling/attachment:Attachment": "attaching a group to a target group is free",
    "aws:ebs/encryptionByDefault:EncryptionByDefault":
        "an account setting: free (encrypted volumes cost the same, https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html)",
    "aws:elasticbeanstalk/application:Application":
        "Elastic Beanstalk itself is free: you pay for the resources it runs (https://aws.amazon.com/elasticbeanstalk/pricing/)",
    "aws:elasticbeanstalk/applicationVersion:ApplicationVersion": "free; the bundle is an object in the artifacts bucket",
    "aws:apigatewayv2/integration:Integration": "included in the API's requests",
    "aws:apigatewayv2/authorizer:Authorizer": "included in the API's requests (its Lambda, if any, is priced on the function)",
    "aws:apigatewayv2/route:Route": "included in the API's requests",
    "aws:apigatewayv2/stage:Stage": "included in the API's requests",
    "aws:cognito/userPoolClient:UserPoolClient": "clients are free; the user pool bills monthly active users",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "included in the proxy's vCPU-hours",
    "aws:rds/proxyTarget:ProxyTarget": "included in the proxy's vCPU-hours",
    "aws:codestarconnections/connection:Connection": "connections are free",
};

class NoPrice extends Error {}

/** Usage of a project without `platform:usage` (delivery): every volume of the schema zero. */
const ZERO_USAGE: UsageConfig = zeroed(usageDefaults.dev);

function zeroed<T>(value: T): T {
    if (typeof value === "number") return 0 as T;
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, zeroed(v)])) as T;
}

interface Charge {
    monthly: number;
    basis: string;
}

interface Context {
    plan: Plan;
    region: string;
    usage: UsageConfig | undefined;
    delivery: DeliveryUsage | undefined;
    containerTasks: Record<string, number>;
    prices: PriceTable;
    hours: number;
    ofType(type: string): PlannedResource[];
    price(key: string, region?: string): number;
    need<T>(value: T | undefined, what: string): T;
}

const usd = (n: number): string => `$${n >= 1 || n === 0 ? +n.toFixed(4) : +n.toPrecision(3)}`;
const num = (n: number): string => `${+n.toFixed(2)}`;

/** Runs per month of a `rate(...)` or six-field `cron(...)` expression (minutes and hours; every day). */
export function runsPerMonth(expression: string, hoursPerMonth = 730): number {
    const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
    if (rate) {
        const minutes = Number(rate[1]) * (rate[2].startsWith("minute") ? 1 : rate[2].startsWith("hour") ? 60 : 1440);
        return (hoursPerMonth * 60) / minutes;
    }
    const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
    if (cron && ["*", "?"].includes(cron[3]) && cron[4] === "*" && ["*", "?"].includes(cron[5])) {
        return fieldCount(cron[1], 60) * fieldCount(cron[2], 24) * (hoursPerMonth / 24);
    }
    throw new NoPrice(`cannot count the runs of schedule ${expression}`);
}

function fieldCount(field: string, size: number): number {
    let count = 0;
    for (const part of field.split(",")) {
        const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
        if (!m) throw new NoPrice(`cannot count the cron field ${field}`);
        const [from, to] = m[1] === "*" ? [0, size - 1] : m[1].includes("-") ? m[1].split("-").map(Number) : [Number(m[1]), m[2] ? size - 1 : Number(m[1])];
        count += Math.floor((to - from) / Number(m[2] ?? 1)) + 1;
    }
    return count;
}

type Handler = (r: PlannedResource, c: Context) => Charge[];

const hourly = (c: Context, count: number, key: string, what = ""): Charge => {
    const rate = c.price(key);
    return { monthly: count * rate * c.hours, basis: `${count}${what} x ${usd(rate)}/h x ${c.hours} h` };
};
const perUnit = (quantity: number, rate: number, unit: string, label: string): Charge => ({
    monthly: quantity * rate,
    basis: `${num(quantity)} ${label} x ${usd(rate)}/${unit}`,
});

/** A share of a usage total spread evenly over every resource of a type. */
/** A resource's inputs as the plan holds them: its args type with every Input unwrapped (values unchecked). */
type Plain<TArgs> = pulumi.Unwrap<TArgs>;

const share = (c: Context, type: string, total: number) => total / Math.max(1, c.ofType(type).length);

const HANDLERS: Record<string, Handler> = {
    "awsx:ec2:Vpc": (r, c) => {
        const strategy = (r.inputs.natGateways as { strategy?: string } | undefined)?.strategy ?? "OnePerAz";
        const azs = Number(r.inputs.numberOfAvailabilityZones ?? 3);
        const count = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
        if (count === 0) return [];
        const u = c.need(c.usage, "platform:usage").network;
        return [
            hourly(c, count, "nat.hour", ` NAT gateway(s) (${strategy})`),
            hourly(c, count, "ipv4.hour", " NAT public IPv4 address(es)"),
            perUnit(u.natGbPerMonth, c.price("nat.gb"), "GB", "GB NAT-processed"),
        ];
    },
    "aws:lb/loadBalancer:LoadBalancer": (r, c) => {
        if (r.inputs.loadBalancerType !== "application") throw new NoPrice(`load balancer type ${String(r.inputs.loadBalancerType)}`);
        const u = c.need(c.usage, "platform:usage").web;
        const gb = (u.requestsPerMonthMillions * 1e6 * u.kibPerResponse) / 1024 ** 2;
        const charges = [hourly(c, 1, "alb.hour", " ALB"), perUnit(gb, c.price("alb.lcu"), "LCU-h", "LCU-hours (1 per GB processed)")];
        if (!r.inputs.internal)
            charges.push(hourly(c, (r.inputs.subnets as unknown[] | undefined)?.length ?? 2, "ipv4.hour", " public IPv4 address(es), one per AZ"));
        return charges;
    },
    "aws:ecs/service:Service": (r, c) => {
        // The tasks it runs: desiredCount, which is 0 until the service has an image tag (the
        // pipeline sets one on every deploy); then at least minTasks, which target tracking raises.
        const planned = Number(r.inputs.desiredCount ?? 0);
        const intended = c.containerTasks[r.name.replace(/-service$/, "")] ?? 0;
        const count = Math.max(planned, intended);
        const note = planned < count ? ` (minTasks, once the pipeline deploys an image; ${planned} until then)` : "";
        const td = c
            .ofType("aws:ecs/taskDefinition:TaskDefinition")
            .find((t) => t.outputs?.arn === r.inputs.taskDefinition || t.id === r.inputs.taskDefinition);
        const vcpu = Number(c.need(td?.inputs.cpu as string | undefined, "the task definition's cpu")) / 1024;
        const gb = Number(td?.inputs.memory) / 1024;
        const arm = (td?.inputs.runtimePlatform as { cpuArchitecture?: string } | undefined)?.cpuArchitecture === "ARM64";
        const strategy = (r.inputs.capacityProviderStrategies as { capacityProvider?: string; base?: number; weight?: number }[] | undefined) ?? [];
        const od = strategy.find((s) => s.capacityProvider === "FARGATE") ?? { base: 0, weight: strategy.length === 0 ? 1 : 0 };
        const spotWeight = Number(strategy.find((s) => s.capacityProvider === "FARGATE_SPOT")?.weight ?? 0);
        const base = Math.min(count, Number(od.base ?? 0));
        const odWeight = Number(od.weight ?? 0);
        const aboveOnDemand = odWeight + spotWeight === 0 ? 0 : Math.round(((count - base) * odWeight) / (odWeight + spotWeight));
        const onDemand = base + aboveOnDemand;
        const spot = count - onDemand;
        const task = (n: number, kind: string, vKey: string, gKey: string): Charge => {
            const rate = vcpu * c.price(vKey) + gb * c.price(gKey);
            return {
                monthly: n * rate * c.hours,
                basis: `${n} ${kind} task(s) x (${vcpu} vCPU x ${usd(c.price(vKey))} + ${gb} GB x ${usd(c.price(gKey))})/h x ${c.hours} h${note}`,
            };
        };
        const arch = arm ? "arm" : "x86";
        return [
            task(onDemand, `Fargate ${arm ? "ARM64" : "X86_64"}`, `fargate.${arch}.vcpuHour`, `fargate.${arch}.gbHour`),
            task(spot, "Fargate Spot", "fargate.spot.vcpuHour", "fargate.spot.gbHour"),
        ];
    },
    // A service keeps keepImages images of ~100 MB (a Node.js runtime image with one bundle); an assumption, not a read price.
    "aws:ecr/repository:Repository": (_r, c) => [perUnit(1, c.price("ecr.storage"), "GB-month", "GB of images (about 10 images of 100 MB)")],
    "aws:autoscaling/group:Group": (r, c) => {
        const desired = Number(r.inputs.desiredCapacity ?? r.inputs.minSize ?? 0);
        const group = r.inputs as Plain<aws.autoscaling.GroupArgs>;
        const mixed = group.mixedInstancesPolicy;
        const ltId = mixed?.launchTemplate?.launchTemplateSpecification?.launchTemplateId ?? group.launchTemplate?.id;
        const lt = c.ofType("aws:ec2/launchTemplate:LaunchTemplate").find((t) => t.id === ltId) ?? c.ofType("aws:ec2/launchTemplate:LaunchTemplate")[0];
        const type: string =
            mixed?.launchTemplate?.overrides?.[0]?.instanceType ?? c.need(lt?.inputs.instanceType as string | undefined, "the launch template's instance type");
        const rate = c.price(`ec2.${type}`);
        let onDemand = desired;
        let spot = 0;
        if (mixed?.instancesDistribution) {
            const d = mixed.instancesDistribution;
            const base = Math.min(desired, Number(d.onDemandBaseCapacity ?? 0));
            const above = desired - base;
            const aboveOnDemand = Math.ceil((above * Number(d.onDemandPercentageAboveBaseCapacity ?? 100)) / 100);
            onDemand = base + aboveOnDemand;
            spot = above - aboveOnDemand;
        }
        const charges: Charge[] = [
            { monthly: onDemand * rate * c.hours, basis: `${onDemand} x ${type} on demand x ${usd(rate)}/h x ${c.hours} h (desired capacity ${desired})` },
        ];
        if (spot > 0) {
            const discount = c.prices.assumptions.spotDiscount;
            charges.push({
                monthly: spot * rate * (1 - discount) * c.hours,
                basis: `${spot} x ${type} Spot x ${usd(rate)}/h x ${1 - discount} (${c.prices.assumptions.spotDiscountSource}) x ${c.hours} h`,
            });
        }
        for (const m of (lt?.inputs as Plain<aws.ec2.LaunchTemplateArgs> | undefined)?.blockDeviceMappings ?? []) {
            const ebs = m.ebs ?? {};
            if ((ebs.volumeType ?? "gp3") !== "gp3") throw new NoPrice(`EBS volume type ${ebs.volumeType}`);
            const size = Number(ebs.volumeSize ?? 8);
            const gb = c.price("ebs.gp3");
            charges.push({ monthly: desired * size * gb, basis: `${desired} x ${size} GB gp3 x ${usd(gb)}/GB-month` });
        }
        return charges;
    },
    // Elastic Beanstalk is free (https://aws.amazon.com/elasticbeanstalk/pricing/): its instances are
    // EC2 at the instance type x MinSize (what runs when idle), with their gp3 roots. Its load balancer
    // is the platform's shared ALB, priced on its own resource.
    "aws:elasticbeanstalk/environment:Environment": (r, c) => {
        const settings = (r.inputs.settings as { namespace: string; name: string; value: unknown }[] | undefined) ?? [];
        const get = (namespace: string, name: string) => settings.find((s) => s.namespace === namespace && s.name === name)?.value as string | undefined;
        const type = c.need(get("aws:ec2:instances", "InstanceTypes"), "aws:ec2:instances InstanceTypes").split(",")[0].trim();
        const count = Number(get("aws:autoscaling:asg", "MinSize") ?? 1);
        const rate = c.price(`ec2.${type}`);
        const charges: Charge[] = [
            {
                monthly: count * rate * c.hours,
                basis: `${count} x ${type} on demand x ${usd(rate)}/h x ${c.hours} h (Elastic Beanstalk MinSize; the service itself is free)`,
            },
        ];
        const volumeType = get("aws:autoscaling:launchconfiguration", "RootVolumeType") ?? "gp3";
        if (volumeType !== "gp3") throw new NoPrice(`EBS volume type ${volumeType}`);
        const size = Number(get("aws:autoscaling:launchconfiguration", "RootVolumeSize") ?? 8);
        const gb = c.price("ebs.gp3");
        charges.push({ monthly: count * size * gb, basis: `${count} x ${size} GB gp3 x ${usd(gb)}/GB-month` });
        return charges;
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": (r, c) => {
        const nodes = Number(r.inputs.numCacheClusters ?? 1);
        return [hourly(c, nodes, `elasticache.${r.inputs.engine ?? "redis"}.${r.inputs.nodeType}`, ` x ${r.inputs.nodeType} ${r.inputs.engine} node(s)`)];
    },
    "aws:rds/instance:Instance": (r, c) => {
        const multiAz = r.inputs.multiAz === true;
        const copies = multiAz ? 2 : 1;
        const cls = String(r.inputs.instanceClass);
        const rate = c.price(`rds.${r.inputs.engine}.${cls}`);
        if ((r.inputs.storageType ?? "gp3") !== "gp3") throw new NoPrice(`RDS storage type ${r.inputs.storageType}`);
        const gb = Number(r.inputs.allocatedStorage ?? 20);
        const storage = c.price("rds.gp3");
        const az = multiAz ? " (Multi-AZ: primary and standby)" : "";
        const charges: Charge[] = [
            { monthly: copies * rate * c.hours, basis: `${copies} x ${cls} x ${usd(rate)}/h x ${c.hours} h${az}` },
            { monthly: copies * gb * storage, basis: `${copies} x ${gb} GB gp3 x ${usd(storage)}/GB-month${az}` },
        ];
        if (r.inputs.performanceInsightsEnabled) {
            const days = Number(r.inputs.performanceInsightsRetentionPeriod ?? 7);
            if (days > 7) throw new NoPrice(`Performance Insights retention of ${days} days (only the free 7 days are priced)`);
            charges.push({ monthly: 0, basis: "Performance Insights, 7-day retention: free tier" });
        }
        return charges;
    },
    "aws:rds/proxy:Proxy": (r, c) => {
        const target = c.ofType("aws:rds/proxyTarget:ProxyTarget").find((t) => t.inputs.dbProxyName === r.id);
        const db = c.ofType("aws:rds/instance:Instance").find((d) => d.inputs.identifier === target?.inputs.dbInstanceIdentifier);
        const cls = String(c.need(db?.inputs.instanceClass as string | undefined, "the proxy's target DB instance"));
        const vcpus = c.need(c.prices.rdsVcpus[cls], `the vCPUs of ${cls}`);
        const billed = Math.max(2, vcpus);
        const rate = c.price("rds.proxy");
        const min = billed > vcpus ? ` (${cls} has ${vcpus}; AWS bills at least 2)` : ` (${cls})`;
        return [{ monthly: billed * rate * c.hours, basis: `${billed} vCPU${min} x ${usd(rate)}/vCPU-h x ${c.hours} h` }];
    },
    "aws:dynamodb/table:Table": (r, c) => {
        if (r.inputs.billingMode !== "PAY_PER_REQUEST") throw new NoPrice(`DynamoDB billing mode ${String(r.inputs.billingMode)}`);
        const u = c.need(c.usage, "platform:usage").table;
        const pitr = (r.inputs.pointInTimeRecovery as { enabled?: boolean } | undefined)?.enabled === true;
        const charges = [
            perUnit(u.writesPerMonthMillions, c.price("dynamodb.writeRequest"), "M WRU", "M writes"),
            perUnit(u.readsPerMonthMillions, c.price("dynamodb.readRequest"), "M RRU", "M reads"),
            perUnit(u.storageGb, c.price("dynamodb.storage"), "GB-month", "GB stored"),
        ];
        if (pitr) charges.push(perUnit(u.storageGb, c.price("dynamodb.pitr"), "GB-month", "GB under point-in-time recovery"));
        for (const replica of (r.inputs as Plain<aws.dynamodb.TableArgs>).replicas ?? []) {
            const region = String(replica.regionName);
            const w = c.price("dynamodb.replicatedWrite", region);
            const s = c.price("dynamodb.storage", region);
            charges.push({
                monthly: u.writesPerMonthMillions * w,
                basis: `${num(u.writesPerMonthMillions)} M replicated writes to ${region} x ${usd(w)}/M rWRU`,
            });
            charges.push({ monthly: u.storageGb * s, basis: `${num(u.storageGb)} GB stored in ${region} x ${usd(s)}/GB-month` });
            if (replica.pointInTimeRecovery) {
                const p = c.price("dynamodb.pitr", region);
                charges.push({ monthly: u.storageGb * p, basis: `${num(u.storageGb)} GB under point-in-time recovery in ${region} x ${usd(p)}/GB-month` });
            }
        }
        return charges;
    },
    "aws:kinesis/stream:Stream": (r, c) => {
        const gb = c.need(c.usage, "platform:usage").events.streamGbPerMonth;
        const arn = String(r.outputs.arn ?? r.id);
        const consumers = c.plan.resources.filter(
            (x) =>
                x.inputs.eventSourceArn === arn ||
                (x.inputs as Plain<aws.kinesis.FirehoseDeliveryStreamArgs>).kinesisSourceConfiguration?.kinesisStreamArn === arn,
        ).length;
        const mode = (r.inputs.streamModeDetails as { streamMode?: string } | undefined)?.streamMode ?? "PROVISIONED";
        if (mode === "ON_DEMAND") {
            return [
                hourly(c, 1, "kinesis.onDemandStream", " on-demand stream"),
                perUnit(gb, c.price("kinesis.onDemandIn"), "GB", "GB in"),
                perUnit(gb * consumers, c.price("kinesis.onDemandOut"), "GB", `GB out (${consumers} consumers)`),
            ];
        }
        const shards = Number(r.inputs.shardCount ?? 1);
        const units = (gb * 1024 ** 2) / 1e6; // one PUT payload unit per record, assuming 1 KiB records
        const charges = [
            hourly(c, shards, "kinesis.shard", " shard(s)"),
            perUnit(units, c.price("kinesis.putUnits"), "M units", "M PUT payload units (1 KiB records assumed)"),
        ];
        if (Number(r.inputs.retentionPeriod ?? 24) > 24)
            charges.push(hourly(c, shards, "kinesis.extendedRetention", ` shard(s) with ${r.inputs.retentionPeriod} h retention`));
        return charges;
    },
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (r, c) => {
        const gb = c.need(c.usage, "platform:usage").events.streamGbPerMonth;
        const charges = [perUnit(gb, c.price("firehose.ingest"), "GB", "GB ingested")];
        if ((r.inputs as Plain<aws.kinesis.FirehoseDeliveryStreamArgs>).extendedS3Configuration?.dataFormatConversionConfiguration?.enabled)
            charges.push(perUnit(gb, c.price("firehose.formatConversion"), "GB", "GB converted to Parquet"));
        return charges;
    },
    "aws:s3/bucket:Bucket": (r, c) => {
        const u = c.need(c.usage, "platform:usage").storage;
        const n = c.ofType(r.type).length;
        const of = ` (1/${n} of the stack's)`;
        return [
            perUnit(u.s3Gb / n, c.price("s3.standard"), "GB-month", `GB stored${of}`),
            perUnit(u.putRequestsPerMonthThousands / n, c.price("s3.put"), "1k", `k PUT/LIST requests${of}`),
            perUnit(u.getRequestsPerMonthThousands / n, c.price("s3.get"), "1k", `k GET requests${of}`),
        ];
    },
    "aws:glue/job:Job": (r, c) => {
        const runs = jobRuns(c, String(r.outputs.name ?? r.id));
        const minutes = Math.max(1, c.need(c.usage, "platform:usage").jobs.glueMinutesPerRun);
        const dpuPerWorker: Record<string, number> = { "G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8 };
        const worker = String(r.inputs.workerType);
        const dpus = Number(r.inputs.numberOfWorkers) * c.need(dpuPerWorker[worker], `the DPUs of worker type ${worker}`);
        const rate = c.price("glue.dpu");
        return [
            {
                monthly: ((runs * minutes) / 60) * dpus * rate,
                basis: `${num(runs)} runs x ${minutes} min x ${dpus} DPU (${r.inputs.numberOfWorkers} ${worker}) x ${usd(rate)}/DPU-h`,
            },
        ];
    },
    "aws:glue/crawler:Crawler": (r, c) => {
        const name = String(r.outputs.name ?? r.id);
        const trigger = c.ofType("aws:glue/trigger:Trigger").find((t) => (t.inputs as Plain<aws.glue.TriggerArgs>).actions.some((a) => a.crawlerName === name));
        const job = (trigger?.inputs as Plain<aws.glue.TriggerArgs> | undefined)?.predicate?.conditions?.[0]?.jobName;
        const runs = trigger?.inputs.schedule
            ? runsPerMonth(String(trigger.inputs.schedule), c.hours)
            : jobRuns(c, c.need(job as string | undefined, "the crawler's trigger"));
        const minutes = Math.max(10, c.need(c.usage, "platform:usage").jobs.crawlerMinutesPerRun);
        const rate = c.price("glue.dpu");
        return [
            {
                monthly: ((runs * minutes) / 60) * 2 * rate,
                basis: `${num(runs)} runs x ${minutes} min (10-min minimum) x 2 DPU (assumed) x ${usd(rate)}/DPU-h`,
            },
        ];
    },
    "aws:emrserverless/application:Application": (r, c) => {
        if (r.inputs.architecture !== "ARM64") throw new NoPrice(`EMR Serverless architecture ${String(r.inputs.architecture)}`);
        const schedule = c
            .ofType("aws:scheduler/schedule:Schedule")
            .find((s) => String((s.inputs as Plain<aws.scheduler.ScheduleArgs>).target?.input ?? "").includes(`"${r.id}"`));
        const runs = runsPerMonth(String(c.need(schedule?.inputs.scheduleExpression as string | undefined, "the Spark job's schedule")), c.hours);
        const j = c.need(c.usage, "platform:usage").jobs;
        const hours = (runs * j.sparkMinutesPerRun) / 60;
        const v = c.price("emrServerless.vcpuArm");
        const m = c.price("emrServerless.memoryArm");
        return [
            { monthly: hours * j.sparkVcpus * v, basis: `${num(runs)} runs x ${j.sparkMinutesPerRun} min x ${j.sparkVcpus} vCPU x ${usd(v)}/vCPU-h` },
            { monthly: hours * j.sparkMemoryGb * m, basis: `${num(runs)} runs x ${j.sparkMinutesPerRun} min x ${j.sparkMemoryGb} GB x ${usd(m)}/GB-h` },
        ];
    },
    "aws:emr/cluster:Cluster": (r, c) => {
        const charges: Charge[] = [];
        for (const key of ["masterInstanceFleet", "coreInstanceFleet"]) {
            const fleet = (r.inputs as Plain<aws.emr.ClusterArgs>)[key as "masterInstanceFleet" | "coreInstanceFleet"];
            if (!fleet) throw new NoPrice("EMR instance groups (only instance fleets are priced)");
            charges.push(...fleetCharges(c, fleet, key === "masterInstanceFleet" ? "primary" : "core"));
        }
        return charges;
    },
    "aws:emr/instanceFleet:InstanceFleet": (r, c) => fleetCharges(c, r.inputs as Plain<aws.emr.InstanceFleetArgs>, String(r.inputs.name ?? "task")),
    "aws:lambda/function:Function": (r, c) => {
        const arch = (r.inputs.architectures as string[] | undefined)?.[0] ?? "x86_64";
        if (arch !== "arm64") throw new NoPrice(`Lambda architecture ${arch}`);
        const f = c.need(c.usage, "platform:usage").functions;
        const schedule = c.ofType("aws:scheduler/schedule:Schedule").find((s) => (s.inputs as Plain<aws.scheduler.ScheduleArgs>).target?.arn === r.outputs.arn);
        const invocations = schedule ? runsPerMonth(String(schedule.inputs.scheduleExpression), c.hours) : f.invocationsPerMonthMillions * 1e6;
        const why = schedule ? ` (${schedule.inputs.scheduleExpression})` : "";
        const memory = Number(r.inputs.memorySize ?? 128);
        const gbs = (invocations * f.averageDurationMs * memory) / 1000 / 1024;
        const req = c.price("lambda.request");
        const dur = c.price("lambda.armGbSecond");
        return [
            { monthly: (invocations / 1e6) * req, basis: `${num(invocations / 1e6)} M invocations${why} x ${usd(req)}/M` },
            { monthly: gbs * dur, basis: `${num(invocations / 1e6)} M x ${f.averageDurationMs} ms x ${memory} MB = ${num(gbs)} GB-s x ${usd(dur)}/GB-s` },
        ];
    },
    "aws:sqs/queue:Queue": (r, c) => [
        perUnit(
            share(c, r.type, c.need(c.usage, "platform:usage").events.queueRequestsPerMonthMillions),
            c.price("sqs.request"),
            "M",
            `M requests (1/${c.ofType(r.type).length} of the stack's)`,
        ),
    ],
    "aws:sns/topic:Topic": (r, c) => [
        perUnit(
            share(c, r.type, c.need(c.usage, "platform:usage").events.topicPublishesPerMonthMillions),
            c.price("sns.publish"),
            "M",
            `M publishes (1/${c.ofType(r.type).length} of the stack's)`,
        ),
    ],
    "aws:cloudwatch/eventBus:EventBus": (_r, c) => [
        perUnit(c.need(c.usage, "platform:usage").events.busEventsPerMonthMillions, c.price("eventbridge.customEvent"), "M", "M custom events"),
    ],
    "aws:cloudwatch/eventArchive:EventArchive": (r, c) => {
        const gb = (c.need(c.usage, "platform:usage").events.busEventsPerMonthMillions * 1e6) / 1024 ** 2; // 1 KiB per event
        const days = Number(r.inputs.retentionDays ?? 0) || 365;
        const stored = (gb * days) / 30;
        return [
            perUnit(gb, c.price("eventbridge.archive"), "GB", "GB archived (1 KiB events assumed)"),
            perUnit(stored, c.price("eventbridge.archiveStorage"), "GB-month", `GB kept (${days} days)`),
        ];
    },
    "aws:scheduler/schedule:Schedule": (r, c) => {
        const runs = runsPerMonth(String(r.inputs.scheduleExpression), c.hours);
        return [perUnit(runs / 1e6, c.price("scheduler.invocation"), "M", `M invocations (${r.inputs.scheduleExpression})`)];
    },
    "aws:sfn/stateMachine:StateMachine": (r, c) => {
        if ((r.inputs.type ?? "STANDARD") !== "STANDARD") throw new NoPrice(`Step Functions ${String(r.inputs.type)} workflows`);
        const e = c.need(c.usage, "platform:usage").events;
        const rate = c.price("sfn.standardTransition");
        return [
            {
                monthly: e.sagaExecutionsPerMonthThousands * e.sagaTransitionsPerExecution * rate,
                basis: `${num(e.sagaExecutionsPerMonthThousands)} k executions x ${e.sagaTransitionsPerExecution} transitions x ${usd(rate)}/1k transitions`,
            },
        ];
    },
    "aws:apigatewayv2/api:Api": (r, c) => {
        if (r.inputs.protocolType !== "HTTP") throw new NoPrice(`API Gateway ${String(r.inputs.protocolType)} APIs`);
        return [perUnit(c.need(c.usage, "platform:usage").api.requestsPerMonthMillions, c.price("apigw.http"), "M", "M HTTP API requests")];
    },
    "aws:cognito/userPool:UserPool": (r, c) => {
        const mau = c.need(c.usage, "platform:usage").api.monthlyActiveUsers;
        const tier = String(r.inputs.userPoolTier ?? "ESSENTIALS");
        if (tier === "PLUS") return [perUnit(mau, c.price("cognito.plusMau"), "MAU", "MAU (Plus tier)")];
        const key = tier === "LITE" ? "cognito.liteMau" : "cognito.essentialsMau";
        return [perUnit(Math.max(0, mau - 10000), c.price(key), "MAU", `MAU above the 10,000 free (${tier} tier)`)];
    },
    "aws:cloudfront/distribution:Distribution": (_r, c) => {
        const u = c.need(c.usage, "platform:usage").cdn;
        return [
            perUnit(u.gbOutPerMonth, c.price("cloudfront.gbOut"), "GB", "GB to viewers"),
            perUnit(u.requestsPerMonthMillions * 100, c.price("cloudfront.https"), "10k", "x 10k HTTPS requests"),
        ];
    },
    "aws:wafv2/webAcl:WebAcl": (r, c) => {
        const rules = ((r.inputs.rules as unknown[] | undefined) ?? []).length;
        const u = c.need(c.usage, "platform:usage").cdn;
        return [
            perUnit(1, c.price("waf.acl"), "ACL-month", "web ACL"),
            perUnit(rules, c.price("waf.rule"), "rule-month", "rules"),
            perUnit(u.requestsPerMonthMillions, c.price("waf.request"), "M", "M requests inspected"),
        ];
    },
    "aws:kms/key:Key": (r, c) => {
        const requests = share(c, r.type, c.usage?.logs.kmsRequestsPerMonthThousands ?? 0) / 10;
        return [perUnit(1, c.price("kms.key"), "key-month", "key"), perUnit(requests, c.price("kms.request"), "10k", "x 10k requests")];
    },
    "aws:secretsmanager/secret:Secret": (_r, c) => [perUnit(1, c.price("secretsmanager.secret"), "secret-month", "secret")],
    "aws:ssm/parameter:Parameter": (r) => {
        if ((r.inputs.tier ?? "Standard") !== "Standard") throw new NoPrice(`SSM ${String(r.inputs.tier)} parameters`);
        return [];
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": (r, c) => {
        if (Number(r.inputs.period ?? 60) < 60) throw new NoPrice("high-resolution alarms");
        const metrics = ((r.inputs as Plain<aws.cloudwatch.MetricAlarmArgs>).metricQueries ?? []).filter((q) => q.metric).length || 1;
        return [perUnit(metrics, c.price("cloudwatch.alarm"), "alarm metric-month", "standard alarm metric(s)")];
    },
    "aws:ec2/flowLog:FlowLog": (r, c) => {
        if (r.inputs.logDestinationType !== "cloud-watch-logs") throw new NoPrice(`flow logs to ${String(r.inputs.logDestinationType)}`);
        return [
            perUnit(c.need(c.usage, "platform:usage").network.flowLogGbPerMonth, c.price("logs.vendedIngest"), "GB", "GB of flow-log records (vended logs)"),
        ];
    },
    "aws:cloudwatch/logGroup:LogGroup": (r, c) => {
        if ((r.inputs.logGroupClass ?? "STANDARD") !== "STANDARD") throw new NoPrice(`log group class ${String(r.inputs.logGroupClass)}`);
        const u = c.need(c.usage, "platform:usage");
        const flowGroups = new Set(c.ofType("aws:ec2/flowLog:FlowLog").map((f) => String(f.inputs.logDestination)));
        const isFlow = flowGroups.has(String(r.outputs.arn));
        const others = c.ofType(r.type).filter((g) => !flowGroups.has(String(g.outputs.arn))).length;
        const days = Number(r.inputs.retentionInDays ?? 0) || 365;
        const kept = days === 365 && !r.inputs.retentionInDays ? "never expires: a year's worth" : `${days} days`;
        const storage = c.price("logs.storage");
        if (isFlow) {
            const gb = u.network.flowLogGbPerMonth;
            return [
                {
                    monthly: ((gb * days) / 30) * storage,
                    basis: `${num(gb)} GB/month of flow logs kept ${kept} = ${num((gb * days) / 30)} GB x ${usd(storage)}/GB-month (ingestion priced on the flow log)`,
                },
            ];
        }
        const gb = u.logs.ingestGbPerMonth / Math.max(1, others);
        const ingest = c.price("logs.ingest");
        return [
            { monthly: gb * ingest, basis: `${num(gb)} GB ingested (1/${others} of the stack's) x ${usd(ingest)}/GB` },
            { monthly: ((gb * days) / 30) * storage, basis: `kept ${kept} = ${num((gb * days) / 30)} GB x ${usd(storage)}/GB-month` },
        ];
    },
    "aws:codebuild/project:Project": (r, c) => {
        const d = c.need(c.delivery, "platform-delivery:usage");
        const env = r.inputs.environment as { computeType?: string; type?: string } | undefined;
        if (env?.type && !String(env.type).startsWith("LINUX")) throw new NoPrice(`CodeBuild ${env.type} builds`);
        const stage = c.need(
            (["test", "images", "preview", "deploy"] as const).find((s) => r.name.endsWith(`-${s}`)),
            `the build stage of ${r.name}`,
        );
        const rate = c.price(`codebuild.${env?.computeType}`);
        const minutes = d.runsPerMonth * d.buildMinutes[stage];
        return [{ monthly: minutes * rate, basis: `${d.runsPerMonth} runs x ${d.buildMinutes[stage]} min (${stage}) x ${usd(rate)}/min ${env?.computeType}` }];
    },
    "aws:codepipeline/pipeline:Pipeline": (r, c) => {
        if (r.inputs.pipelineType !== "V2") throw new NoPrice(`CodePipeline ${String(r.inputs.pipelineType)} pipelines`);
        const d = c.need(c.delivery, "platform-delivery:usage");
        let perRun = 0;
        for (const stage of (r.inputs as Plain<aws.codepipeline.PipelineArgs>).stages ?? []) {
            for (const action of stage.actions ?? []) {
                if (action.category === "Source") perRun += d.sourceMinutes;
                else if (action.category === "Build") {
                    const s = (["test", "images", "preview", "deploy"] as const).find(
                        (k) =>
                            String(action.configuration?.ProjectName ?? "").includes(`-${k}-`) ||
                            String(action.configuration?.ProjectName ?? "").endsWith(`-${k}`),
                    );
                    perRun += d.buildMinutes[c.need(s, `the build stage of action ${action.name}`)];
                }
                // Manual approvals wait for a person; they are not counted as action minutes here.
            }
        }
        const rate = c.price("codepipeline.v2ActionMinute");
        return [
            {
                monthly: d.runsPerMonth * perRun * rate,
                basis: `${d.runsPerMonth} runs x ${perRun} action min x ${usd(rate)}/action-min (approvals not counted)`,
            },
        ];
    },
};

/** Runs per month of a Glue job, from the scheduled trigger that starts it. */
function jobRuns(c: Context, jobName: string): number {
    const trigger = c
        .ofType("aws:glue/trigger:Trigger")
        .find((t) => t.inputs.type === "SCHEDULED" && (t.inputs as Plain<aws.glue.TriggerArgs>).actions.some((a) => a.jobName === jobName));
    return runsPerMonth(String(c.need(trigger?.inputs.schedule as string | undefined, `a schedule for Glue job ${jobName}`)), c.hours);
}

/** An EMR instance fleet at its target capacity: EC2 plus EMR's charge per instance-hour, Spot at the stated discount, and its EBS volumes. */
function fleetCharges(c: Context, fleet: Plain<aws.types.input.emr.ClusterMasterInstanceFleet>, label: string): Charge[] {
    const config = fleet.instanceTypeConfigs?.[0];
    const type = String(c.need(config?.instanceType as string | undefined, `the ${label} fleet's instance type`));
    const ec2 = c.price(`ec2.${type}`);
    const emr = c.price(`emr.${type}`);
    const onDemand = Number(fleet.targetOnDemandCapacity ?? 0);
    const spot = Number(fleet.targetSpotCapacity ?? 0);
    const discount = c.prices.assumptions.spotDiscount;
    const charges: Charge[] = [];
    if (onDemand > 0)
        charges.push({
            monthly: onDemand * (ec2 + emr) * c.hours,
            basis: `${onDemand} x ${type} (${label}) x (${usd(ec2)} EC2 + ${usd(emr)} EMR)/h x ${c.hours} h`,
        });
    if (spot > 0)
        charges.push({
            monthly: spot * (ec2 * (1 - discount) + emr) * c.hours,
            basis: `${spot} x ${type} (${label}, Spot) x (${usd(ec2)} x ${1 - discount} EC2 + ${usd(emr)} EMR)/h x ${c.hours} h (${c.prices.assumptions.spotDiscountSource})`,
        });
    const gbPerInstance = (config?.ebsConfigs ?? []).reduce((sum, e) => sum + Number(e.size) * Number(e.volumesPerInstance ?? 1), 0);
    if (gbPerInstance > 0) {
        const gb = c.price("ebs.gp3");
        charges.push({
            monthly: (onDemand + spot) * gbPerInstance * gb,
            basis: `${onDemand + spot} x ${gbPerInstance} GB gp3 (${label}) x ${usd(gb)}/GB-month`,
        });
    }
    return charges;
}

/** The top-level component a resource belongs to (`type name` of the stack's direct child it descends from). */
function componentOf(r: PlannedResource, byUrn: Map<string, PlannedResource>): string {
    let cur = r;
    for (;;) {
        const parent = cur.parent ? byUrn.get(cur.parent) : undefined;
        if (!parent || parent.type === "pulumi:pulumi:Stack") return `${cur.type} ${cur.name}`;
        cur = parent;
    }
}

/** True when a type costs nothing by itself (see FREE); components carry no cost of their own. */
export function isFree(type: string): boolean {
    return type in FREE || (type.startsWith("platform:") && type.split(":").length === 3);
}

/** The types the model prices. */
export const PRICED_TYPES = Object.keys(HANDLERS);

/** Estimates a plan's monthly cost. Items are sorted largest first; `monthly` is their sum to the cent. */
export function estimateCost(plan: Plan, usage: CostUsage, prices: PriceTable = PRICES): CostEstimate {
    const provider =
        plan.resources.find((r) => r.type === "pulumi:providers:aws" && r.name === "aws") ?? plan.resources.find((r) => r.type === "pulumi:providers:aws");
    const region = String(provider?.inputs.region ?? "us-east-1");
    const byType = new Map<string, PlannedResource[]>();
    for (const r of plan.resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const ctx: Context = {
        plan,
        region,
        // The delivery project has no platform:usage; its buckets, logs and topics then carry no usage-driven charge.
        usage: usage.platform ?? ZERO_USAGE,
        delivery: usage.delivery,
        containerTasks: usage.containerTasks ?? {},
        prices,
        hours: prices.assumptions.hoursPerMonth,
        ofType: (type) => byType.get(type) ?? [],
        price(key, where = region) {
            const p = prices.regions[where]?.[key];
            if (!p) throw new NoPrice(`no price for ${key} in ${where}`);
            return p.usd;
        },
        need(value, what) {
            if (value === undefined || value === null) throw new NoPrice(`${what} is unknown`);
            return value;
        },
    };

    const items: CostItem[] = [];
    const unpriced = new Map<string, string>();
    for (const r of plan.resources) {
        const handler = HANDLERS[r.type];
        if (!handler) {
            if (!isFree(r.type)) unpriced.set(r.type, "not in the cost model: add it to tools/insights/cost.ts, priced or free with a reason");
            continue;
        }
        let charges: Charge[];
        try {
            charges = handler(r, ctx);
        } catch (err) {
            if (!(err instanceof NoPrice)) throw err;
            unpriced.set(r.type, `${r.name}: ${err.message}`);
            continue;
        }
        const component = componentOf(r, byUrn);
        for (const ch of charges)
            items.push({ urn: r.urn, type: r.type, name: r.name, component, monthly: Math.round(ch.monthly * 100) / 100, basis: ch.basis });
    }
    items.sort((a, b) => b.monthly - a.monthly || a.urn.localeCompare(b.urn));
    const cents = items.reduce((sum, i) => sum + Math.round(i.monthly * 100), 0);
    return { stack: plan.stack, region, currency: "USD", monthly: cents / 100, items, unpriced: [...unpriced].map(([type, why]) => ({ type, why })) };
}
