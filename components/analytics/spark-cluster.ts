import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { permissionStatements } from "../grants";
import { ServiceRole, type Statement } from "../iam";
import type { DataLake } from "./lake";
import { sparkJob, sparkJobLakeAccess, sparkSchedule, type SparkJob, type SparkPlacementArgs } from "./spark-job";
import { stackScoped } from "../names";

/** An EMR cluster's settings; it picks one AZ among the subnets for its instance fleets. */
export interface SparkClusterArgs extends SparkPlacementArgs {
    /** EMR release, e.g. emr-7.10.0. */
    releaseLabel: string;
    /** Instance type of the primary node. */
    primaryInstanceType: string;
    /** Instance type of the core nodes. */
    coreInstanceType: string;
    /** On-demand core nodes: the floor managed scaling keeps. */
    coreInstances: number;
    /** Instance types the Spot task fleet draws from. */
    taskInstanceTypes: string[];
    /** Managed scaling ceiling, in instances (core plus task). */
    maxCapacityUnits: number;
    /** Minutes idle before the cluster terminates itself. */
    idleTimeoutMinutes: number;
    /** s3:// URI of the PEM zip EMR takes the TLS certificates for traffic between nodes from. */
    tlsCertificatesS3Uri?: string;
    /** The Spark job runs every this many hours, as a step. */
    jobIntervalHours: number;
}

/**
 * AmazonEMRServicePolicy_v2 lets EMR act only on subnets, security groups and instances that
 * carry this tag; the network tags its private subnets with it.
 */
export const EMR_MANAGED_TAG = { "for-use-with-amazon-emr-managed-policies": "true" } as const;
export const EMR_SERVICE_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2";
/** The task fleet starts with one Spot instance; managed scaling resizes it from there. */
const INITIAL_TASK_UNITS = 1;
const NODE_VOLUMES = [{ size: 128, type: "gp3", volumesPerInstance: 1 }];

/** EMR's security configuration: SSE-KMS for EMRFS, KMS for local disks and EBS, TLS between nodes, IMDSv2. */
export function emrSecurityConfiguration(kmsKeyArn: string, tlsCertificatesS3Uri: string): object {
    return {
        EncryptionConfiguration: {
            EnableAtRestEncryption: true,
            EnableInTransitEncryption: true,
            InTransitEncryptionConfiguration: { TLSCertificateConfiguration: { CertificateProviderType: "PEM", S3Object: tlsCertificatesS3Uri } },
            AtRestEncryptionConfiguration: {
                S3EncryptionConfiguration: { EncryptionMode: "SSE-KMS", AwsKmsKey: kmsKeyArn },
                LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: "AwsKms", AwsKmsKey: kmsKeyArn, EnableEbsEncryption: true },
            },
        },
        InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 2 },
    };
}

/** "s3://bucket/key" as the object's ARN. */
const s3ObjectArn = (uri: string) => `arn:aws:s3:::${uri.slice("s3://".length)}`;

/** The cluster's EMR-managed security groups. */
interface ClusterGroups {
    primary: aws.ec2.SecurityGroup;
    core: aws.ec2.SecurityGroup;
    serviceAccess: aws.ec2.SecurityGroup;
}

interface ClusterRoles {
    /** The nodes' role. */
    instance: ServiceRole;
    instanceProfile: aws.iam.InstanceProfile;
    /** EMR's service role. */
    service: ServiceRole;
}

/**
 * An EMR cluster for heavy batch, in the private subnets: on-demand primary and core fleets,
 * a Spot task fleet that managed scaling grows and shrinks, at-rest and in-transit encryption,
 * logs to S3, and termination after a spell of idleness. The Spark aggregation job is added as
 * a step on a schedule.
 *
 * Its security groups are EMR-managed: EMR adds the ingress rules between primary, core and
 * service access groups itself (and Pulumi, given no inline rules, leaves them alone). The
 * program adds the egress the nodes need (HTTPS out, any port to each other) and the service
 * access group's documented rules, and revokes every rule on delete, since EMR's rules reference
 * the groups across each other and would block their deletion.
 */
export class SparkCluster extends pulumi.ComponentResource {
    public readonly clusterId: pulumi.Output<string>;
    public readonly clusterArn: pulumi.Output<string>;
    public readonly serviceRoleArn: pulumi.Output<string>;
    public readonly instanceRoleArn: pulumi.Output<string>;

    constructor(name: string, args: SparkClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:analytics:SparkCluster", name, {}, opts);
        const tlsUri = args.tlsCertificatesS3Uri;
        if (!tlsUri) {
            throw new Error(`${name}: in-transit encryption needs tlsCertificatesS3Uri, the S3 URI of a zip holding privateKey.pem and certificateChain.pem`);
        }
        const job = sparkJob(`${name}-job`, args.lake, args.kmsKeyArn, this);
        const groups = this.securityGroups(name, args);
        const roles = this.roles(name, args, tlsUri);
        const cluster = this.cluster(name, args, tlsUri, groups, roles);
        this.taskFleet(name, args, cluster);
        this.scheduleJob(name, args, cluster, job);

        this.clusterId = cluster.id;
        this.clusterArn = cluster.arn;
        this.serviceRoleArn = roles.service.arn;
        this.instanceRoleArn = roles.instance.arn;
        this.registerOutputs({ clusterId: this.clusterId, clusterArn: this.clusterArn });
    }

    /**
     * The EMR-managed security groups, with the egress the nodes need and the service access
     * group's documented rules; EMR adds the ingress rules between them itself.
     */
    private securityGroups(name: string, args: SparkClusterArgs): ClusterGroups {
        const parent = { parent: this };
        const group = (role: string, description: string) =>
            new aws.ec2.SecurityGroup(
                `${name}-${role}-sg`,
                { vpcId: args.vpcId, description, revokeRulesOnDelete: true, tags: { Name: `${name}-${role}`, ...EMR_MANAGED_TAG } },
                parent,
            );
        const primary = group("primary", "EMR-managed: the primary node");
        const core = group("core", "EMR-managed: core and task nodes");
        const serviceAccess = group("service-access", "EMR-managed: EMR service access to nodes in private subnets");
        // Nodes reach S3 (gateway endpoint) and EMR, KMS and STS (through NAT) over HTTPS, and each
        // other on any port (HDFS, YARN, Spark shuffle); EMR adds the matching ingress rules.
        const nodes = [
            ["primary", primary],
            ["core", core],
        ] as const;
        for (const [role, sg] of nodes) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-${role}-https-out`,
                { securityGroupId: sg.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "AWS APIs and S3 over HTTPS" },
                parent,
            );
            for (const [peerRole, peer] of nodes) {
                new aws.vpc.SecurityGroupEgressRule(
                    `${name}-${role}-to-${peerRole}`,
                    { securityGroupId: sg.id, referencedSecurityGroupId: peer.id, ipProtocol: "-1", description: `Cluster traffic to the ${peerRole} nodes` },
                    parent,
                );
            }
        }
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-primary-to-service`,
            {
                securityGroupId: primary.id,
                referencedSecurityGroupId: serviceAccess.id,
                ipProtocol: "tcp",
                fromPort: 9443,
                toPort: 9443,
                description: "Primary node to EMR service access",
            },
            parent,
        );
        // EMR's service talks to the primary node through the service access group (private subnets).
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-service-from-primary`,
            {
                securityGroupId: serviceAccess.id,
                referencedSecurityGroupId: primary.id,
                ipProtocol: "tcp",
                fromPort: 9443,
                toPort: 9443,
                description: "Primary node to EMR service access",
            },
            parent,
        );
        for (const [role, sg] of nodes) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-service-to-${role}`,
                {
                    securityGroupId: serviceAccess.id,
                    referencedSecurityGroupId: sg.id,
                    ipProtocol: "tcp",
                    fromPort: 8443,
                    toPort: 8443,
                    description: `EMR service access to the ${role} nodes`,
                },
                parent,
            );
        }
        return { primary, core, serviceAccess };
    }

    /** The nodes' role (through its instance profile) and EMR's service role, which may pass it. */
    private roles(name: string, args: SparkClusterArgs, tlsUri: string): ClusterRoles {
        const instance = new ServiceRole(
            `${name}-instance-role`,
            {
                service: "ec2.amazonaws.com",
                description: "EMR cluster nodes (instance profile): the Spark job's data, logs to S3, local disk encryption",
                statements: instanceStatements(args, args.lake, tlsUri),
            },
            { parent: this },
        );
        // Named as its role: EC2 allows the two names to differ, EMR does not ("invalid instance
        // profile" when the cluster is created).
        const instanceProfile = new aws.iam.InstanceProfile(`${name}-instance-profile`, { name: instance.name, role: instance.name }, { parent: this });

        const service = new ServiceRole(
            `${name}-service-role`,
            {
                service: "elasticmapreduce.amazonaws.com",
                accountId: args.accountId,
                description: "EMR: manages the cluster's instances in tagged subnets and security groups",
                managedPolicyArns: [EMR_SERVICE_POLICY_ARN],
                statements: [
                    // The v2 policy leaves passing the instance role to the customer.
                    {
                        Sid: "PassInstanceRole",
                        Action: "iam:PassRole",
                        Resource: instance.arn,
                        Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
                    },
                    // EMR launches the nodes' EBS volumes encrypted with the platform key.
                    {
                        Sid: "EbsKey",
                        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                        Resource: args.kmsKeyArn,
                    },
                    { Sid: "EbsKeyGrants", Action: "kms:CreateGrant", Resource: args.kmsKeyArn, Condition: { Bool: { "kms:GrantIsForAWSResource": true } } },
                ],
            },
            { parent: this },
        );
        return { instance, instanceProfile, service };
    }

    /** The cluster with its security configuration: on-demand primary and core fleets, encrypted, logging to S3, ending itself when idle. */
    private cluster(name: string, args: SparkClusterArgs, tlsUri: string, groups: ClusterGroups, roles: ClusterRoles): aws.emr.Cluster {
        const securityConfiguration = new aws.emr.SecurityConfiguration(
            `${name}-security`,
            // Autonamed: every change replaces it (create before delete), which a fixed name would collide with.
            { configuration: pulumi.output(args.kmsKeyArn).apply((key) => JSON.stringify(emrSecurityConfiguration(key, tlsUri))) },
            { parent: this },
        );
        return new aws.emr.Cluster(
            name,
            {
                name: stackScoped(name),
                releaseLabel: args.releaseLabel,
                applications: ["Hadoop", "Spark"],
                serviceRole: roles.service.arn,
                securityConfiguration: securityConfiguration.name,
                logUri: pulumi.interpolate`s3://${args.lake.work.name}/spark-logs/cluster/`,
                logEncryptionKmsKeyId: args.kmsKeyArn,
                keepJobFlowAliveWhenNoSteps: true,
                autoTerminationPolicy: { idleTimeout: args.idleTimeoutMinutes * 60 },
                unhealthyNodeReplacement: true,
                stepConcurrencyLevel: 1,
                ec2Attributes: {
                    subnetIds: args.subnetIds,
                    instanceProfile: roles.instanceProfile.arn,
                    emrManagedMasterSecurityGroup: groups.primary.id,
                    emrManagedSlaveSecurityGroup: groups.core.id,
                    serviceAccessSecurityGroup: groups.serviceAccess.id,
                },
                masterInstanceFleet: { name: "primary", targetOnDemandCapacity: 1, instanceTypeConfigs: [{ instanceType: args.primaryInstanceType }] },
                coreInstanceFleet: {
                    name: "core",
                    targetOnDemandCapacity: args.coreInstances,
                    instanceTypeConfigs: [{ instanceType: args.coreInstanceType, weightedCapacity: 1, ebsConfigs: NODE_VOLUMES }],
                    launchSpecifications: { onDemandSpecifications: [{ allocationStrategy: "lowest-price" }] },
                },
                tags: { ...EMR_MANAGED_TAG },
            },
            // The roles need their policies before EMR validates them at creation.
            { parent: this, dependsOn: [roles.service, roles.instance] },
        );
    }

    /** The Spot task fleet and the managed scaling that grows and shrinks it above the on-demand core. */
    private taskFleet(name: string, args: SparkClusterArgs, cluster: aws.emr.Cluster): void {
        new aws.emr.InstanceFleet(
            `${name}-task-spot`,
            {
                clusterId: cluster.id,
                name: "task-spot",
                targetSpotCapacity: INITIAL_TASK_UNITS,
                targetOnDemandCapacity: 0,
                instanceTypeConfigs: args.taskInstanceTypes.map((instanceType) => ({
                    instanceType,
                    weightedCapacity: 1,
                    bidPriceAsPercentageOfOnDemandPrice: 100,
                    ebsConfigs: NODE_VOLUMES,
                })),
                launchSpecifications: {
                    spotSpecifications: [{ allocationStrategy: "price-capacity-optimized", timeoutAction: "SWITCH_TO_ON_DEMAND", timeoutDurationMinutes: 10 }],
                },
            },
            // Managed scaling owns the fleet's size after creation.
            { parent: this, ignoreChanges: ["targetSpotCapacity", "targetOnDemandCapacity"] },
        );
        new aws.emr.ManagedScalingPolicy(
            `${name}-scaling`,
            {
                clusterId: cluster.id,
                computeLimits: [
                    {
                        unitType: "InstanceFleetUnits",
                        minimumCapacityUnits: args.coreInstances,
                        maximumCapacityUnits: args.maxCapacityUnits,
                        // Core stays on demand at its size; everything above it is Spot task capacity.
                        maximumCoreCapacityUnits: args.coreInstances,
                        maximumOndemandCapacityUnits: args.coreInstances,
                    },
                ],
            },
            { parent: this },
        );
    }

    /** The Spark job as a step on the cluster, added on a schedule. */
    private scheduleJob(name: string, args: SparkClusterArgs, cluster: aws.emr.Cluster, job: SparkJob): void {
        sparkSchedule(
            `${name}-schedule`,
            {
                intervalHours: args.jobIntervalHours,
                targetArn: "arn:aws:scheduler:::aws-sdk:emr:addJobFlowSteps",
                input: pulumi.jsonStringify({
                    JobFlowId: cluster.id,
                    Steps: [
                        {
                            Name: "daily-aggregates",
                            // A failed run leaves the cluster up for the next one.
                            ActionOnFailure: "CONTINUE",
                            HadoopJarStep: {
                                Jar: "command-runner.jar",
                                Args: pulumi
                                    .all([job.entryPoint, job.arguments])
                                    .apply(([entryPoint, jobArgs]) => [
                                        "spark-submit",
                                        "--deploy-mode",
                                        "cluster",
                                        "--conf",
                                        "spark.sql.sources.partitionOverwriteMode=dynamic",
                                        entryPoint,
                                        ...jobArgs,
                                    ]),
                            },
                        },
                    ],
                }),
                statements: [{ Sid: "AddSteps", Action: "elasticmapreduce:AddJobFlowSteps", Resource: cluster.arn }],
                kmsKeyArn: args.kmsKeyArn,
                accountId: args.accountId,
            },
            this,
        );
    }
}

/** What the nodes do as themselves: the job's data, EMR's logs and libraries, disk encryption, TLS certificates. */
function instanceStatements(args: SparkClusterArgs, lake: DataLake, tlsUri: string): Statement[] {
    const statements: Statement[] = [
        ...permissionStatements(...sparkJobLakeAccess(lake), lake.readWritePermission(lake.work, "spark-logs/cluster", "ClusterLogs")),
        // EMR's regional bucket of scripts and libraries the nodes fetch while bootstrapping.
        { Sid: "EmrRegionalArtifacts", Action: "s3:GetObject", Resource: `arn:aws:s3:::${args.region}.elasticmapreduce/*` },
        // Local disks are encrypted by the nodes themselves with data keys from KMS.
        { Sid: "LocalDiskKey", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: args.kmsKeyArn },
        {
            Sid: "DescribeOwnCluster",
            Action: [
                "elasticmapreduce:DescribeCluster",
                "elasticmapreduce:ListInstanceFleets",
                "elasticmapreduce:ListInstances",
                "elasticmapreduce:ListSteps",
                "elasticmapreduce:ListBootstrapActions",
            ],
            Resource: pulumi.interpolate`arn:aws:elasticmapreduce:${args.region}:${args.accountId}:cluster/*`,
        },
    ];
    statements.push({ Sid: "TlsCertificates", Action: "s3:GetObject", Resource: s3ObjectArn(tlsUri) });
    return statements;
}
