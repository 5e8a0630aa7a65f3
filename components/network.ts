import * as aws from "@pulumi/aws";
// Only awsx's ec2 module: the package root eagerly loads its classic ECS/ECR tree and the ECS
// SDK client, a third of a second of start-up this program never uses.
import * as awsxEc2 from "@pulumi/awsx/ec2";
import * as pulumi from "@pulumi/pulumi";
import { ServiceRole } from "./iam";
import type { PlatformContext } from "./context";
import { platformPath, stackScoped } from "./names";

export interface NetworkArgs {
    /** The VPC's IPv4 CIDR block; AWS allows prefixes /16 to /28. */
    cidr: string;
    /** How many availability zones the subnets span. */
    azCount: number;
    /** NAT gateways for the private (app) tier: one shared gateway, or one per AZ for AZ independence. */
    natGateways: "single" | "onePerAz";
    /** Prefix length of each tier's subnet in every AZ. */
    subnetMasks: {
        /** Prefix length of each public subnet (load balancers, NAT gateways). */
        public: number;
        /** Prefix length of each private subnet (the app fleet, Lambdas; egress through NAT). */
        private: number;
        /** Prefix length of each isolated subnet (data stores; no internet route). */
        isolated: number;
    };
    /** VPC flow logs to CloudWatch Logs. */
    flowLogs: {
        /** Days flow log records are kept. */
        retentionDays: number;
        /** Which flows are logged: rejected only (cheap), accepted only, or all. */
        trafficType: "ALL" | "ACCEPT" | "REJECT";
    };
    /** The environment: region, account, platform key, alarm topic and the protection decisions (see PlatformContext). */
    context: PlatformContext;
}

const NAT_STRATEGY = { single: awsxEc2.NatGatewayStrategy.Single, onePerAz: awsxEc2.NatGatewayStrategy.OnePerAz } as const;

/**
 * The VPC: public subnets (load balancers, NAT), private subnets (the app tier, egress via NAT)
 * and isolated subnets (data stores, no route to the internet), across `azCount` AZs.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly vpcCidr: string;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    public readonly isolatedSubnetIds: pulumi.Output<string[]>;
    public readonly flowLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:Network", name, {}, opts);

        const vpc = new awsxEc2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: args.cidr,
                numberOfAvailabilityZones: args.azCount,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                natGateways: { strategy: NAT_STRATEGY[args.natGateways] },
                subnetStrategy: awsxEc2.SubnetAllocationStrategy.Auto,
                subnetSpecs: [
                    { type: awsxEc2.SubnetType.Public, name: "public", cidrMask: args.subnetMasks.public },
                    // EMR's managed service policy (v2) launches cluster nodes only into subnets with this tag.
                    {
                        type: awsxEc2.SubnetType.Private,
                        name: "app",
                        cidrMask: args.subnetMasks.private,
                        tags: { "for-use-with-amazon-emr-managed-policies": "true" },
                    },
                    { type: awsxEc2.SubnetType.Isolated, name: "data", cidrMask: args.subnetMasks.isolated },
                ],
                // Gateway endpoints are free and keep S3 and DynamoDB traffic off the NAT gateways;
                // "Auto" attaches them to every route table the VPC creates.
                vpcEndpointStrategy: awsxEc2.VpcEndpointStrategy.Auto,
                vpcEndpointSpecs: ["s3", "dynamodb"].map((svc) => ({ serviceName: `com.amazonaws.${args.context.region}.${svc}`, vpcEndpointType: "Gateway" })),
                tags: { Name: stackScoped(name) },
            },
            { parent: this },
        );

        // Adopting the default security group strips its rules: nothing can use it by accident.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.vpcId, tags: { Name: `${name}-default-deny` } }, { parent: this });

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            { name: platformPath("vpc-flow-logs"), retentionInDays: args.flowLogs.retentionDays, kmsKeyId: args.context.kmsKeyArn },
            { parent: this },
        );
        const role = new ServiceRole(
            `${name}-flow-logs-role`,
            {
                service: "vpc-flow-logs.amazonaws.com",
                accountId: args.context.accountId,
                description: "Lets VPC Flow Logs write to its log group",
                // The minimum AWS lists for a flow-logs role (its group exists, so no CreateLogGroup).
                statements: [
                    {
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                    },
                    // A list call, authorized against the account's log groups, not one group.
                    {
                        Action: "logs:DescribeLogGroups",
                        Resource: pulumi.interpolate`arn:aws:logs:${args.context.region}:${args.context.accountId}:log-group:*`,
                    },
                ],
            },
            { parent: this },
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: vpc.vpcId,
                trafficType: args.flowLogs.trafficType,
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 60,
            },
            { parent: this },
        );

        this.vpcId = vpc.vpcId;
        this.vpcCidr = args.cidr;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.isolatedSubnetIds = vpc.isolatedSubnetIds;
        this.flowLogGroupName = logGroup.name;
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
            flowLogGroupName: this.flowLogGroupName,
        });
    }
}
