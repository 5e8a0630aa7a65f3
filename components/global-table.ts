import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Grants, type Grantee, type Permission } from "./grants";
import type { PlatformContext } from "./context";
import { withDefaults } from "../lib/defaults";

export interface GlobalTableArgs {
    /** Regions holding a replica, besides the home region. */
    replicaRegions: string[];
    /**
     * On-demand, or provisioned capacity with autoscaling.
     * @default "PAY_PER_REQUEST"
     */
    billingMode?: "PAY_PER_REQUEST" | "PROVISIONED";
    /** Provisioned read capacity bounds (used when billingMode is PROVISIONED). */
    readCapacity: {
        /** Fewest read capacity units autoscaling keeps. */
        min: number;
        /** Most read capacity units autoscaling may provision. */
        max: number;
    };
    /** Provisioned write capacity bounds (used when billingMode is PROVISIONED). */
    writeCapacity: {
        /** Fewest write capacity units autoscaling keeps. */
        min: number;
        /** Most write capacity units autoscaling may provision. */
        max: number;
    };
    /**
     * Autoscaling holds consumed capacity at this share of provisioned capacity (DynamoDB accepts 20-90).
     * @default 70
     */
    targetUtilizationPercent?: number;
    /** Write-sharding fan-out for hot partition keys (suffix 0..n-1). */
    writeShards: number;
    /**
     * Attribute holding the item's expiry time (epoch seconds).
     * @default "expiresAt"
     */
    ttlAttribute?: string;
    /** The environment: region, account, platform key, alarm topic and the protection decisions (see PlatformContext). */
    context: PlatformContext;
}

/** The defaults of GlobalTableArgs's optional fields (each documented with `@default`). */
export const GLOBAL_TABLE_DEFAULTS = { billingMode: "PAY_PER_REQUEST", targetUtilizationPercent: 70, ttlAttribute: "expiresAt" } as const;

/** The table's key schema: see services/table-keys.ts for how keys are built and sharded. */
export const PARTITION_KEY = "pk";
export const SORT_KEY = "sk";

/** Item-level access for the application: no table management, no scans. */
export const READ_WRITE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
];
/** What a stream consumer (e.g. a Lambda event source mapping) needs. */
export const STREAM_READ_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"];

/**
 * Item actions only on items whose partition key starts with one of `prefixes` (`<entity>#`, see
 * services/table-keys.ts), through dynamodb:LeadingKeys: each function may touch its own entities
 * and no others.
 */
export interface KeyedItems {
    /** The permission's name, e.g. "project-read-model" (the grant policy is `<table>-<name>-<grantee>`). */
    name: string;
    /** The statement id, e.g. "ProjectReadModel". */
    sid: string;
    /** DynamoDB item actions without the "dynamodb:" prefix, e.g. ["GetItem", "PutItem"]. */
    actions: string[];
    /** Entity prefixes, e.g. ["order", "customer"]. */
    prefixes: string[];
}

/**
 * A DynamoDB global table (version 2019.11.21, through `replicas`): string keys `pk` and `sk`,
 * on-demand or autoscaled provisioned capacity, a NEW_AND_OLD_IMAGES stream (replication needs
 * it), point-in-time recovery on the table and on every replica, a TTL attribute, and deletion
 * protection and Pulumi protect from the profile.
 *
 * Encryption at rest uses the AWS-managed key (aws/dynamodb) rather than the platform key: the
 * platform key is a single-region key, and a customer key would have to exist in every replica
 * region. The AWS-managed key is still KMS, logged in CloudTrail, present in every region, and
 * needs no key grants, so the grants below stay the DynamoDB actions alone.
 */
export class GlobalTable extends pulumi.ComponentResource {
    public readonly tableName: pulumi.Output<string>;
    public readonly tableArn: pulumi.Output<string>;
    /** The home region's stream (NEW_AND_OLD_IMAGES). */
    public readonly streamArn: pulumi.Output<string>;
    /** The attribute whose epoch-seconds value expires an item. */
    public readonly ttlAttribute: string;

    private readonly grants: Grants;

    constructor(name: string, given: GlobalTableArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:GlobalTable", name, {}, opts);
        const args = withDefaults(GLOBAL_TABLE_DEFAULTS, given);
        this.grants = new Grants(this, name);
        const provisioned = args.billingMode === "PROVISIONED";
        const deletionProtection = args.context.stateful.deletionProtection;

        const table = new aws.dynamodb.Table(
            `${name}-table`,
            {
                billingMode: args.billingMode,
                hashKey: PARTITION_KEY,
                rangeKey: SORT_KEY,
                attributes: [
                    { name: PARTITION_KEY, type: "S" },
                    { name: SORT_KEY, type: "S" },
                ],
                readCapacity: provisioned ? args.readCapacity.min : undefined,
                writeCapacity: provisioned ? args.writeCapacity.min : undefined,
                streamEnabled: true,
                streamViewType: "NEW_AND_OLD_IMAGES",
                pointInTimeRecovery: { enabled: true },
                deletionProtectionEnabled: deletionProtection,
                serverSideEncryption: { enabled: true },
                ttl: { attributeName: args.ttlAttribute, enabled: true },
                replicas: args.replicaRegions.map((regionName) => ({
                    regionName,
                    pointInTimeRecovery: true,
                    deletionProtectionEnabled: deletionProtection,
                    propagateTags: true,
                })),
            },
            // Autoscaling owns the provisioned capacity once the table exists.
            { parent: this, protect: args.context.stateful.protect, ignoreChanges: provisioned ? ["readCapacity", "writeCapacity"] : [] },
        );

        if (provisioned) {
            for (const [dimension, bounds] of [
                ["Read", args.readCapacity],
                ["Write", args.writeCapacity],
            ] as const) {
                const target = new aws.appautoscaling.Target(
                    `${name}-${dimension.toLowerCase()}-capacity`,
                    {
                        serviceNamespace: "dynamodb",
                        resourceId: pulumi.interpolate`table/${table.name}`,
                        scalableDimension: `dynamodb:table:${dimension}CapacityUnits`,
                        minCapacity: bounds.min,
                        maxCapacity: bounds.max,
                    },
                    { parent: this },
                );
                new aws.appautoscaling.Policy(
                    `${name}-${dimension.toLowerCase()}-scaling`,
                    {
                        policyType: "TargetTrackingScaling",
                        serviceNamespace: target.serviceNamespace,
                        resourceId: target.resourceId,
                        scalableDimension: target.scalableDimension,
                        targetTrackingScalingPolicyConfiguration: {
                            predefinedMetricSpecification: { predefinedMetricType: `DynamoDB${dimension}CapacityUtilization` },
                            targetValue: args.targetUtilizationPercent,
                        },
                    },
                    { parent: this },
                );
            }
        }

        this.tableName = table.name;
        this.tableArn = table.arn;
        this.streamArn = table.streamArn;
        this.ttlAttribute = args.ttlAttribute;
        this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn, streamArn: this.streamArn });
    }

    /** Item reads and writes on the table and its indexes (the actions in READ_WRITE_ACTIONS, nothing else). */
    readWritePermission(): Permission {
        return this.grants.permission("read-write", [
            { Sid: "ItemReadWrite", Action: READ_WRITE_ACTIONS, Resource: [this.tableArn, pulumi.interpolate`${this.tableArn}/index/*`] },
        ]);
    }

    /** Grants `readWritePermission` as the policy `<table>-read-write-<grantee>`. */
    grantReadWrite(grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.readWritePermission(), grantee);
    }

    /** Reading the table's stream (the actions in STREAM_READ_ACTIONS) on the stream alone. */
    streamReadPermission(): Permission {
        return this.grants.permission("stream-read", [{ Sid: "StreamRead", Action: STREAM_READ_ACTIONS, Resource: this.streamArn }]);
    }

    /** Grants `streamReadPermission` as the policy `<table>-stream-read-<grantee>`. */
    grantStreamRead(grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.streamReadPermission(), grantee);
    }

    /** Query on the table (the read model's queries), the base table alone. */
    queryPermission(): Permission {
        return this.grants.permission("query", [{ Sid: "ReadModelQuery", Action: "dynamodb:Query", Resource: this.tableArn }]);
    }

    /** Grants `queryPermission` as the policy `<table>-query-<grantee>`. */
    grantQuery(grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.queryPermission(), grantee);
    }

    /** Key-prefix-scoped item actions (see `itemsPermission`). */
    keyedItemsPermission(access: KeyedItems): Permission {
        return this.grants.permission(access.name, [
            {
                Sid: access.sid,
                Action: access.actions.map((a) => `dynamodb:${a}`),
                Resource: this.tableArn,
                Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": access.prefixes.map((p) => `${p}#*`) } },
            },
        ]);
    }

    /**
     * Item actions on exactly the given partition keys (dynamodb:LeadingKeys, no wildcard): a
     * service that owns one partition, such as the catalog's `catalog` items.
     */
    partitionPermission(access: Omit<KeyedItems, "prefixes"> & { partitionKeys: string[] }): Permission {
        return this.grants.permission(access.name, [
            {
                Sid: access.sid,
                Action: access.actions.map((a) => `dynamodb:${a}`),
                Resource: this.tableArn,
                Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": access.partitionKeys } },
            },
        ]);
    }

    /** Grants `keyedItemsPermission` as the policy `<table>-<access.name>-<grantee>`. */
    grantKeyedItems(access: KeyedItems, grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.keyedItemsPermission(access), grantee);
    }
}
