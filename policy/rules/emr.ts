/** EMR rules: security configurations, logging, scaling limits, instance profiles, EMR Serverless bounds. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph, TYPES } from "../graph";
import { at, isSet, isUnknown, json } from "../lib";
import type { PlatformPolicy } from "../types";

const EMR_CLUSTER = "aws:emr/cluster:Cluster";

export const emrPolicies: PlatformPolicy[] = [
    {
        name: "emr-security-configuration-encrypted",
        description: "EMR security configurations enable at-rest encryption (S3 and local disks) and in-transit encryption.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.emr.SecurityConfiguration, (p, _a, report) => {
            const config = json(p.configuration);
            const e = at(config, "EncryptionConfiguration");
            if (!e) return report("configures no encryption");
            if (at(e, "EnableAtRestEncryption") !== true) report("has at-rest encryption off");
            else {
                if (!at(e, "AtRestEncryptionConfiguration.S3EncryptionConfiguration")) report("encrypts nothing in S3 (no S3EncryptionConfiguration)");
                if (!at(e, "AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration"))
                    report("leaves local disks unencrypted (no LocalDiskEncryptionConfiguration)");
            }
            if (at(e, "EnableInTransitEncryption") !== true) report("has in-transit encryption off");
        }),
    },
    {
        name: "emr-cluster-security-configuration",
        description: "EMR clusters run with a security configuration.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.emr.Cluster, (p, _a, report) => {
            if (!isSet(p, "securityConfiguration")) report("runs without a security configuration, so nothing is encrypted");
        }),
    },
    {
        name: "emr-instance-profile-named-as-role",
        description:
            'An EMR cluster\'s instance profile has the same name as its role: EC2 allows them to differ, EMR does not, and cluster creation fails with "invalid instance profile".',
        enforcementLevel: "mandatory",
        covers: [EMR_CLUSTER, TYPES.instanceProfile, TYPES.role],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const cluster of g.ofType(EMR_CLUSTER)) {
                const profiles = g.resolve(cluster, "ec2Attributes.instanceProfile", [TYPES.instanceProfile]);
                if (isUnknown(profiles)) continue;
                for (const profile of profiles) {
                    const roles = g.resolve(profile, "role", [TYPES.role]);
                    if (isUnknown(roles) || isUnknown(profile.props.name)) continue;
                    for (const role of roles) {
                        if (!isUnknown(role.props.name) && role.props.name !== profile.props.name)
                            report(
                                `uses instance profile ${profile.props.name} for role ${role.props.name}; EMR requires the instance profile to carry its role's name`,
                                cluster.urn,
                            );
                    }
                }
            }
        },
    },
    {
        name: "emr-cluster-logging-termination",
        description: "EMR clusters write logs to S3 and terminate themselves when idle.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.emr.Cluster, (p, _a, report) => {
            if (!isSet(p, "logUri")) report("writes no logs to S3 (logUri)");
            if (!p.autoTerminationPolicy?.idleTimeout && p.keepJobFlowAliveWhenNoSteps !== false)
                report("runs until stopped; set an autoTerminationPolicy idle timeout");
        }),
    },
    {
        name: "emr-managed-scaling-limits-valid",
        description: "EMR managed scaling limits are consistent (minimum <= maximum; on-demand and core maxima within the maximum), as AWS requires.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.emr.ManagedScalingPolicy, (p, _a, report) => {
            for (const l of p.computeLimits ?? []) {
                if (l.minimumCapacityUnits > l.maximumCapacityUnits)
                    report(`scales between ${l.minimumCapacityUnits} and ${l.maximumCapacityUnits} units: the minimum exceeds the maximum`);
                if ((l.maximumOndemandCapacityUnits ?? 0) > l.maximumCapacityUnits)
                    report(`allows ${l.maximumOndemandCapacityUnits} on-demand units, above the maximum of ${l.maximumCapacityUnits}`);
                if ((l.maximumCoreCapacityUnits ?? 0) > l.maximumCapacityUnits)
                    report(`allows ${l.maximumCoreCapacityUnits} core units, above the maximum of ${l.maximumCapacityUnits}`);
            }
        }),
    },
    {
        name: "emr-spot-fleet-keeps-cluster",
        description: "An EMR instance fleet's Spot provisioning timeout switches to on-demand rather than terminating the whole cluster.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.emr.InstanceFleet, (p, _a, report) => {
            for (const spot of p.launchSpecifications?.spotSpecifications ?? []) {
                if (spot.timeoutAction === "TERMINATE_CLUSTER") report("terminates the cluster when Spot capacity can't be found; use SWITCH_TO_ON_DEMAND");
            }
        }),
    },
    {
        name: "emr-serverless-bounded",
        description: "EMR Serverless applications cap their capacity and stop when idle.",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.emrserverless.Application, (p, _a, report) => {
            if (!p.maximumCapacity) report("has no maximumCapacity; a runaway job scales without bound");
            if (p.autoStopConfiguration?.enabled === false) report("never stops when idle");
        }),
    },
];
