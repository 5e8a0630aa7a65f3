import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { asList, isProd, isSet, isUnknown, majorVersion } from "../lib";
import type { PlatformPolicy } from "../types";

const TABLE = "aws:dynamodb/table:Table";
const TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const CACHE_PARAMETER_GROUP = "aws:elasticache/parameterGroup:ParameterGroup";

/**
 * The parameter group family an ElastiCache Valkey or Redis OSS version runs with: the engine and
 * its major version from 7 on (valkey7, valkey8, valkey9, redis7), redis6.x for 6, and engine
 * plus major.minor before that (redis5.0, redis4.0, redis3.2, redis2.8).
 */
export function cacheFamilyOf(engine: unknown, engineVersion: unknown): string | undefined {
    const e = engine ?? "redis";
    if ((e !== "valkey" && e !== "redis") || typeof engineVersion !== "string") return undefined;
    const major = majorVersion(engineVersion);
    if (major === undefined) return undefined;
    if (e === "valkey" || major >= 7) return `${e}${major}`;
    if (major === 6) return "redis6.x";
    const m = /^(\d+\.\d+)/.exec(engineVersion);
    return m ? `redis${m[1]}` : undefined;
}

/** The family a default parameter group belongs to (default.valkey8, default.redis7.cluster.on), or undefined for another name. */
function familyOfDefaultGroup(name: string): string | undefined {
    return /^default\.(.+?)(\.cluster\.on)?$/.exec(name)?.[1];
}

/** random.RandomPassword's default special characters. */
const RANDOM_DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** What each consumer of a generated password accepts, per AWS's API constraints. */
const PASSWORD_CONSUMERS: { type: string; path: string; min: number; max: number; specialAllowed: (c: string) => boolean; what: string }[] = [
    // ElastiCache AUTH tokens: 16-128 printable characters; the only specials allowed are !&#$^<>-.
    { type: "aws:elasticache/replicationGroup:ReplicationGroup", path: "authToken", min: 16, max: 128, specialAllowed: (c) => "!&#$^<>-".includes(c), what: "an ElastiCache auth token" },
    // RDS master passwords: 8-128 printable ASCII, not /, ", @ or a space.
    { type: "aws:rds/instance:Instance", path: "password", min: 8, max: 128, specialAllowed: (c) => !'/"@ '.includes(c), what: "an RDS master password" },
    { type: "aws:rds/cluster:Cluster", path: "masterPassword", min: 8, max: 128, specialAllowed: (c) => !'/"@ '.includes(c), what: "an RDS master password" },
];

export const datastorePolicies: PlatformPolicy[] = [
    // ElastiCache.
    {
        name: "elasticache-encrypted",
        description: "ElastiCache encrypts data at rest and in transit (an auth token also requires in-transit encryption).",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.elasticache.ReplicationGroup, (p, _a, report) => {
                if (p.atRestEncryptionEnabled !== true) report("has at-rest encryption off");
                if (p.transitEncryptionEnabled !== true) report(`has in-transit encryption off${p.authToken ? "; AWS rejects an auth token without it" : ""}`);
            }),
            validateResourceOfType(aws.elasticache.Cluster, (p, _a, report) => {
                if (p.replicationGroupId) return; // a member: the group's settings apply
                if (p.engine !== "memcached" && p.transitEncryptionEnabled !== true) report("has in-transit encryption off");
            }),
        ],
    },
    {
        name: "elasticache-auth",
        description: "Redis/Valkey replication groups require authentication: an auth token or RBAC user groups; no user may skip its password.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.elasticache.ReplicationGroup, (p, _a, report) => {
                if (!isSet(p, "authToken") && !isSet(p, "authTokenWo") && !isSet(p, "userGroupIds.0")) report("requires no authentication; set an auth token or RBAC user groups");
            }),
            validateResourceOfType(aws.elasticache.User, (p, _a, report) => {
                if (p.noPasswordRequired === true || p.authenticationMode?.type === "no-password-required") report("requires no password");
            }),
        ],
    },
    {
        name: "elasticache-failover-consistent",
        description: "ElastiCache Multi-AZ has automatic failover, and automatic failover has a replica to fail over to (AWS rejects anything else).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (p, _a, report) => {
            const clusterMode = (p.numNodeGroups ?? 0) > 0 || p.clusterMode === "enabled";
            const nodes = clusterMode ? 1 + (p.replicasPerNodeGroup ?? 0) : (p.numCacheClusters ?? 1);
            if (p.multiAzEnabled === true && p.automaticFailoverEnabled !== true) report("enables Multi-AZ without automatic failover; AWS requires both");
            if (p.automaticFailoverEnabled === true && nodes < 2) report(`enables automatic failover with ${nodes} node(s); it needs a primary and at least one replica`);
        }),
    },
    {
        name: "elasticache-multi-az-prod",
        description: "In prod, ElastiCache replication groups are Multi-AZ with automatic failover and at least one replica.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (p, args, report) => {
            if (!isProd(args)) return;
            if (p.multiAzEnabled !== true || p.automaticFailoverEnabled !== true) report("is not Multi-AZ with automatic failover in prod");
        }),
    },
    {
        name: "elasticache-snapshots-prod",
        description: "In prod, ElastiCache keeps daily snapshots (snapshotRetentionLimit of 1 day or more).",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (p, args, report) => {
            if (isProd(args) && !((p.snapshotRetentionLimit ?? 0) >= 1)) report("keeps no snapshots in prod; set snapshotRetentionLimit");
        }),
    },
    {
        name: "elasticache-parameter-group-family",
        description: "An ElastiCache replication group names a parameter group of its engine version's family, so a version edit moves both together (a group that names none fails a major upgrade on the family mismatch).",
        enforcementLevel: "mandatory",
        covers: [REPLICATION_GROUP, CACHE_PARAMETER_GROUP],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const n of g.ofType(REPLICATION_GROUP)) {
                const { engine, engineVersion, parameterGroupName, globalReplicationGroupId } = n.props;
                // A member of a global datastore takes the global group's engine and parameters.
                if (isUnknown(engine) || isUnknown(engineVersion) || isUnknown(parameterGroupName) || globalReplicationGroupId) continue;
                const want = cacheFamilyOf(engine, engineVersion);
                if (typeof parameterGroupName !== "string" || parameterGroupName === "") {
                    report(`names no parameter group; name one of the ${want ?? "engine version's"} family (e.g. default.${want ?? "valkey8"}) so an engine version change can move both`, n.urn);
                    continue;
                }
                if (engineVersion === undefined || want === undefined) {
                    report(`names parameter group ${parameterGroupName} without an engine version (or with one whose family is unknown: ${String(engine)} ${String(engineVersion)}); pin engineVersion so the group's family can be checked`, n.urn);
                    continue;
                }
                const own = g.resolve(n, "parameterGroupName", [CACHE_PARAMETER_GROUP]);
                if (isUnknown(own)) continue;
                const family = own.length === 1 ? own[0].props.family : familyOfDefaultGroup(parameterGroupName);
                if (isUnknown(family) || family === undefined) continue; // a group outside the stack: its family can't be read here
                if (family !== want) report(`runs ${engine} ${engineVersion} (family ${want}) with parameter group ${parameterGroupName} of family ${family}; ElastiCache refuses the mismatch`, n.urn);
            }
        },
    },
    // Generated secrets.
    {
        name: "random-password-fits-consumer",
        description: "A generated password fits what the resource using it accepts: ElastiCache tokens 16-128 chars with specials only from !&#$^<>-, RDS passwords without / \" @ or space.",
        enforcementLevel: "mandatory",
        covers: [RANDOM_PASSWORD, ...PASSWORD_CONSUMERS.map((c) => c.type)],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const consumer of PASSWORD_CONSUMERS) {
                for (const n of g.ofType(consumer.type)) {
                    for (const pw of (n.deps[consumer.path] ?? []).filter((d) => d.type === RANDOM_PASSWORD)) {
                        const { length, special, overrideSpecial } = pw.props;
                        if (isUnknown(length) || isUnknown(special) || isUnknown(overrideSpecial)) continue;
                        if (typeof length === "number" && (length < consumer.min || length > consumer.max)) report(`password ${pw.name} is ${length} characters; ${consumer.what} must be ${consumer.min}-${consumer.max}`, n.urn);
                        if (special === false) continue;
                        const specials = typeof overrideSpecial === "string" ? overrideSpecial : RANDOM_DEFAULT_SPECIAL;
                        const bad = [...new Set(specials)].filter((c) => !consumer.specialAllowed(c));
                        if (bad.length > 0) report(`password ${pw.name} may contain ${bad.join(" ")}, which ${consumer.what} rejects; set overrideSpecial (or special: false)`, n.urn);
                    }
                }
            }
        },
    },
    // DynamoDB.
    {
        name: "dynamodb-encrypted-kms",
        description: "DynamoDB tables use KMS server-side encryption (a customer-managed or AWS-managed key), not only the AWS-owned default.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.dynamodb.Table, (p, _a, report) => {
            if (p.serverSideEncryption?.enabled !== true) report("uses the AWS-owned key only; enable serverSideEncryption with a KMS key");
        }),
    },
    {
        name: "dynamodb-pitr-prod",
        description: "In prod, point-in-time recovery is on for every DynamoDB table and every replica.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [
            validateResourceOfType(aws.dynamodb.Table, (p, args, report) => {
                if (!isProd(args)) return;
                if (p.pointInTimeRecovery?.enabled !== true) report("has point-in-time recovery off in prod");
                for (const r of p.replicas ?? []) if (r.pointInTimeRecovery !== true) report(`replica in ${r.regionName} has point-in-time recovery off in prod`);
            }),
            validateResourceOfType(aws.dynamodb.TableReplica, (p, args, report) => {
                if (isProd(args) && p.pointInTimeRecovery !== true) report("has point-in-time recovery off in prod");
            }),
        ],
    },
    {
        name: "dynamodb-deletion-protection-prod",
        description: "In prod, DynamoDB tables and their replicas have deletion protection on.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: [
            validateResourceOfType(aws.dynamodb.Table, (p, args, report) => {
                if (!isProd(args)) return;
                if (p.deletionProtectionEnabled !== true) report("has deletion protection off in prod");
                for (const r of p.replicas ?? []) if (r.deletionProtectionEnabled !== true) report(`replica in ${r.regionName} has deletion protection off in prod`);
            }),
            validateResourceOfType(aws.dynamodb.TableReplica, (p, args, report) => {
                if (isProd(args) && p.deletionProtectionEnabled !== true) report("has deletion protection off in prod");
            }),
        ],
    },
    {
        name: "dynamodb-global-table-consistent",
        description: "A global table streams NEW_AND_OLD_IMAGES, and declares its replicas one way only (Table.replicas or TableReplica resources, never both).",
        enforcementLevel: "mandatory",
        covers: [TABLE, TABLE_REPLICA],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            const replicaResources = g.ofType(TABLE_REPLICA);
            for (const table of g.ofType(TABLE)) {
                const inline = table.props.replicas;
                if (isUnknown(inline)) continue;
                const separate = replicaResources.filter((r) => {
                    const t = g.resolve(r, "globalTableArn", [TABLE]);
                    return !isUnknown(t) && t.includes(table);
                });
                if (asList(inline).length === 0 && separate.length === 0) continue;
                if (asList(inline).length > 0 && separate.length > 0) report(`declares replicas both inline and as TableReplica resources (${separate.map((r) => r.name).join(", ")}); the two fight over the replica set`, table.urn);
                const { streamEnabled, streamViewType } = table.props;
                if (isUnknown(streamEnabled) || isUnknown(streamViewType)) continue;
                if (streamEnabled !== true || streamViewType !== "NEW_AND_OLD_IMAGES") report(`has replicas but streams ${streamEnabled === true ? streamViewType : "nothing"}; global tables need streamViewType NEW_AND_OLD_IMAGES`, table.urn);
            }
        },
    },
];
