/** ElastiCache rules: encryption, AUTH, failover, prod availability and snapshots, parameter group families. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { isProd, isSet, isUnknown, majorVersion } from "../lib";
import type { PlatformPolicy } from "../types";

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

export const elasticachePolicies: PlatformPolicy[] = [
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
                if (!isSet(p, "authToken") && !isSet(p, "authTokenWo") && !isSet(p, "userGroupIds.0"))
                    report("requires no authentication; set an auth token or RBAC user groups");
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
            if (p.automaticFailoverEnabled === true && nodes < 2)
                report(`enables automatic failover with ${nodes} node(s); it needs a primary and at least one replica`);
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
        description:
            "An ElastiCache replication group names a parameter group of its engine version's family, so a version edit moves both together (a group that names none fails a major upgrade on the family mismatch).",
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
                    report(
                        `names no parameter group; name one of the ${want ?? "engine version's"} family (e.g. default.${want ?? "valkey8"}) so an engine version change can move both`,
                        n.urn,
                    );
                    continue;
                }
                if (engineVersion === undefined || want === undefined) {
                    report(
                        `names parameter group ${parameterGroupName} without an engine version (or with one whose family is unknown: ${String(engine)} ${String(engineVersion)}); pin engineVersion so the group's family can be checked`,
                        n.urn,
                    );
                    continue;
                }
                const own = g.resolve(n, "parameterGroupName", [CACHE_PARAMETER_GROUP]);
                if (isUnknown(own)) continue;
                const family = own.length === 1 ? own[0].props.family : familyOfDefaultGroup(parameterGroupName);
                if (isUnknown(family) || family === undefined) continue; // a group outside the stack: its family can't be read here
                if (family !== want)
                    report(
                        `runs ${engine} ${engineVersion} (family ${want}) with parameter group ${parameterGroupName} of family ${family}; ElastiCache refuses the mismatch`,
                        n.urn,
                    );
            }
        },
    },
];
