import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RULE_PRIORITY } from "../lib/path-patterns";
import { REGIONS_WITH_ELB_LOG_ACCOUNT } from "../lib/elb";
import { SecureBucket } from "./bucket";
import { ServiceRole, type Statement } from "./iam";
import type { Grantee } from "./grants";
import type { ServiceBundle } from "./service-bundle";
import { webUserData } from "./web-user-data";
import { BeanstalkEnvironment, beanstalkEnvironmentName, type BeanstalkSettings } from "./beanstalk-environment";
import type { PlatformContext } from "./context";
import { platformPath, stackName, stackScoped } from "./names";
import { withDefaults, type WithDefaults } from "../lib/defaults";

export interface WebClusterArgs {
    /** EC2 instance type of the fleet. */
    instanceType: string;
    /**
     * CPU architecture of the AMI; must match the instance type (Graviton types are arm64).
     * @default "arm64"
     */
    architecture?: "arm64" | "x86_64";
    /** Fewest instances the fleet scales in to. */
    minSize: number;
    /** Instances at creation; target tracking adjusts it afterwards. */
    desiredCapacity: number;
    /** Most instances the fleet scales out to. */
    maxSize: number;
    /**
     * Port the web service listens on inside the instances.
     * @default 8080
     */
    appPort?: number;
    /**
     * Shallow liveness path the target group probes: 200 while the process serves, whatever its dependencies' state, so a dependency outage never makes Auto Scaling replace healthy instances.
     * @default "/live"
     */
    healthCheckPath?: string;
    /**
     * Deep health report (cache, database, table reachability) for operators and alarms; the ALB answers it 404, so it is never public.
     * @default "/health"
     */
    dependencyHealthPath?: string;
    /** ACM certificate for the HTTPS listener; without one, only dev may serve plain HTTP. */
    certificateArn?: string;
    /** Target tracking: average CPU utilisation to hold, in percent. */
    cpuTargetPercent: number;
    /** Target tracking: ALB requests per target to hold. */
    requestsPerTarget: number;
    /** Instance refresh keeps at least this share of the fleet healthy. */
    minHealthyPercent: number;
    /** Seconds a draining target keeps serving in-flight requests. */
    deregistrationDelaySeconds: number;
    /** Slow start ramps new targets over this many seconds (0 disables; otherwise 30-900). */
    slowStartSeconds: number;
    /** Size of each instance's encrypted gp3 root volume. */
    rootVolumeGiB: number;
    /**
     * Seconds after launch before failed load balancer health checks make Auto Scaling replace an instance (covers boot and user data).
     * @default 300
     */
    healthCheckGracePeriodSeconds?: number;
    /** Seconds a new instance needs before its metrics count for scaling and instance refresh moves on. */
    instanceWarmupSeconds: number;
    /** One-minute EC2 metrics, so CPU target tracking reacts faster (billed per instance). */
    detailedMonitoring: boolean;
    /** Optional mixed-instances policy with Spot capacity above an on-demand base. */
    spot: {
        /** Use a mixed-instances policy with Spot capacity. */
        enabled: boolean;
        /** Instances always bought on demand. */
        onDemandBaseCapacity: number;
        /** Share of capacity above the base bought on demand; the rest is Spot. */
        onDemandPercentageAboveBase: number;
        /** Extra instance types Spot may draw from, beside instanceType (a mixed-instances policy takes at most 40 types). */
        instanceTypes: string[];
    };
    /** Days ALB access logs are kept in their bucket. */
    accessLogExpirationDays: number;
    /** Days the fleet's application logs are kept. */
    logRetentionDays: number;
    vpcId: pulumi.Input<string>;
    /** Public subnets for the load balancer, one per AZ. */
    publicSubnetIds: pulumi.Input<string[]>;
    /** Private subnets for the instances (egress through NAT), one per AZ. */
    privateSubnetIds: pulumi.Input<string[]>;
    /** Serve plain HTTP when no certificate is configured; config validation allows it only in dev. */
    allowPlainHttp: boolean;
    /** The web service bundle the instances run (see bundleService). */
    service: ServiceBundle;
    /** SSM path, ending in "/", the service reads its settings from. */
    parameterPath: string;
    /** Tags for the instances and volumes Auto Scaling launches, which the provider's defaultTags do not reach. */
    instanceTags: Record<string, string>;
    /** Who may reach the load balancer: anyone (the default, for a cluster on its own) or only CloudFront. */
    ingress?: WebIngress;
    /** The environment: region, account, platform key, alarm topic and the protection decisions (see PlatformContext). */
    context: PlatformContext;
    /**
     * What runs the service behind the load balancer: an Auto Scaling group and launch template
     * this component owns, or an Elastic Beanstalk environment on the same load balancer (shared),
     * with the same instance role and security group. Spot, target tracking and instance refresh
     * settings apply to `asg` only.
     * @default "asg"
     */
    runtime?: "asg" | "beanstalk";
    /** The Elastic Beanstalk environment's platform, deployments and managed updates; required with runtime "beanstalk". */
    beanstalk?: BeanstalkSettings;
}

/** The defaults of WebClusterArgs's optional fields (each documented with `@default`). */
export const WEB_CLUSTER_DEFAULTS = {
    architecture: "arm64",
    appPort: 8080,
    healthCheckPath: "/live",
    dependencyHealthPath: "/health",
    healthCheckGracePeriodSeconds: 300,
    runtime: "asg",
} as const;

/** A header CloudFront adds to every origin request, whose secret value proves the request came through it. */
export interface OriginHeader {
    name: string;
    /** A Pulumi secret; it lands in the listener rules' and the distribution's state, never in an output. */
    value: pulumi.Input<string>;
}

/**
 * `internet`: 80/443 from anywhere, forwarding everything. `cloudfront`: only CloudFront's
 * origin-facing addresses (the AWS-managed prefix list), and only requests carrying the origin
 * header are forwarded (any other distribution can reach the same addresses); the rest get 403.
 */
export type WebIngress = { from: "internet" } | { from: "cloudfront"; originHeader: OriginHeader };

/** Every Elastic Beanstalk environment hostname (CNAMEs are <prefix>.<region>.elasticbeanstalk.com; .com.cn in China). */
export const BEANSTALK_HOSTS = ["*.elasticbeanstalk.com", "*.elasticbeanstalk.com.cn"];

/** The AWS-managed prefix list of CloudFront's origin-facing servers. */
export const CLOUDFRONT_PREFIX_LIST = "com.amazonaws.global.cloudfront.origin-facing";

/** Negotiates TLS 1.3 and 1.2 only, with forward-secret ciphers. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

const ACCESS_LOG_PREFIX = "alb";

type Args = WithDefaults<WebClusterArgs, typeof WEB_CLUSTER_DEFAULTS>;

/** The chain internet (or CloudFront) -> load balancer -> fleet. */
interface SecurityGroups {
    alb: aws.ec2.SecurityGroup;
    fleet: aws.ec2.SecurityGroup;
    /** The fleet's own rules: health checks in, AWS APIs (SSM, S3, logs) out. */
    fleetRules: pulumi.Resource[];
}

/** What the instances boot from: the service bundle in its bucket, and the log group the service writes to. */
interface ServiceArtifacts {
    bucket: SecureBucket;
    bundleKey: string;
    bundle: aws.s3.BucketObjectv2;
    logGroup: aws.cloudwatch.LogGroup;
}

/** The public load balancer's routing: the listener that serves traffic and, behind CloudFront, the rule that forwards. */
interface Listeners {
    listener: aws.lb.Listener;
    fromCloudFront?: aws.lb.ListenerRule;
    /** Under runtime "beanstalk": the rules that refuse Elastic Beanstalk hostnames, one per listener. */
    refuseBeanstalkHosts: aws.lb.ListenerRule[];
}

/** The parts of a cluster its fleet is launched from (see WebCluster.launchFleet). */
interface FleetParts {
    args: Args;
    /** The launch template (runtime "asg" only). */
    template?: aws.ec2.LaunchTemplate;
    profile: aws.iam.InstanceProfile;
    artifacts: ServiceArtifacts;
    albSecurityGroup: aws.ec2.SecurityGroup;
    targetGroup: aws.lb.TargetGroup;
    alb: aws.lb.LoadBalancer;
    listener: aws.lb.Listener;
    fromCloudFront?: aws.lb.ListenerRule;
    refuseBeanstalkHosts: aws.lb.ListenerRule[];
    /** The instance role with its own policy. */
    instanceRole: ServiceRole;
    /** The fleet's own security group rules: health checks in, AWS APIs (SSM, S3, logs) out. */
    rules: pulumi.Resource[];
    tags: Record<string, string>;
}

/** What the SSM Agent needs for Session Manager (AWS Systems Manager's custom instance profile for Session Manager). */
const SESSION_MANAGER_ACTIONS = [
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

/**
 * The serving fleet: an internet-facing ALB in the public subnets (HTTPS with TLS 1.3 and an
 * HTTP->HTTPS redirect, invalid headers dropped, access logs to a private bucket) in front of
 * an Auto Scaling group in the private subnets, launched from a template: the current AL2023
 * AMI, IMDSv2 only, an encrypted gp3 root volume, Session Manager instead of SSH, and user data
 * that runs the web service bundle under systemd. Target tracking on CPU and on requests per
 * target sizes it; instance refresh rolls it when the template changes. With `ingress` from
 * CloudFront, only CloudFront's origin-facing servers reach the load balancer, and only requests
 * carrying the origin header are forwarded. The fleet itself starts with `launchFleet`, once
 * everything the instances read as they boot exists.
 */
export class WebCluster extends pulumi.ComponentResource implements Grantee {
    /** The fleet's security group: data stores admit it. */
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly albSecurityGroupId: pulumi.Output<string>;
    /** The instances' role. The fleet itself is the grantee data stores grant to (`table.grantReadWrite(web)`). */
    public readonly instanceRole: aws.iam.Role;
    /** Grants to the fleet are named after it (`table-read-write-web`) and attach to the instances' role. */
    public readonly granteeName: string;
    public readonly roleName: pulumi.Output<string>;
    /** https://<ALB DNS name>, or http:// where dev serves plain HTTP. */
    public readonly url: pulumi.Output<string>;
    public readonly albDnsName: pulumi.Output<string>;
    public readonly albZoneId: pulumi.Output<string>;
    public readonly albArn: pulumi.Output<string>;
    public readonly targetGroupArn: pulumi.Output<string>;
    /** The listener that serves traffic (HTTPS, or HTTP without a certificate in dev), for routing rules added later. */
    public readonly listenerArn: pulumi.Output<string>;
    /** The CloudWatch log group holding the service's output. */
    public readonly logGroupName: pulumi.Output<string>;
    public readonly accessLogBucket: pulumi.Output<string>;
    public readonly artifactBucket: pulumi.Output<string>;

    private readonly fleetSecurityGroup: aws.ec2.SecurityGroup;
    private readonly name: string;
    /** What launchFleet needs of the constructor's work. */
    private readonly fleet: FleetParts;

    constructor(name: string, given: WebClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:web:WebCluster", name, {}, opts);
        const args = withDefaults(WEB_CLUSTER_DEFAULTS, given);
        if (args.runtime === "beanstalk" && !args.beanstalk) throw new Error(`${name}: runtime "beanstalk" needs the beanstalk settings`);
        if (!args.certificateArn && !args.allowPlainHttp) {
            throw new Error(`${name}: no certificateArn, and plain HTTP is not allowed: configure platform:web.certificateArn`);
        }
        this.name = name;
        const https = args.certificateArn !== undefined;
        const originHeader = args.ingress?.from === "cloudfront" ? args.ingress.originHeader : undefined;

        const groups = this.securityGroups(name, args, https, originHeader);
        this.fleetSecurityGroup = groups.fleet;
        const accessLogs = this.accessLogs(name, args);
        // The instance fleet: what it boots from, its role, its launch template.
        const artifacts = this.serviceArtifacts(name, args);
        const role = this.instanceRoleFor(name, args, artifacts);
        const tags = { ...args.instanceTags, Name: stackScoped(name) };
        const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name }, { parent: this });
        // Elastic Beanstalk launches its own instances: no launch template of ours.
        const template = args.runtime === "asg" ? this.launchTemplate(name, args, groups.fleet, artifacts, profile, tags) : undefined;
        // The public load balancer in front of it.
        const targetGroup = this.targetGroup(name, args);
        const alb = this.loadBalancer(name, args, groups.alb, accessLogs);
        const { listener, fromCloudFront, refuseBeanstalkHosts } = this.listeners(name, args, alb, targetGroup, originHeader);

        this.fleet = {
            args,
            template,
            profile,
            artifacts,
            albSecurityGroup: groups.alb,
            targetGroup,
            alb,
            listener,
            fromCloudFront,
            refuseBeanstalkHosts,
            instanceRole: role,
            rules: groups.fleetRules,
            tags,
        };

        this.securityGroupId = groups.fleet.id;
        this.albSecurityGroupId = groups.alb.id;
        this.instanceRole = role.role;
        this.granteeName = name;
        this.roleName = role.name;
        this.albDnsName = alb.dnsName;
        this.albZoneId = alb.zoneId;
        this.albArn = alb.arn;
        this.url = pulumi.interpolate`${https ? "https" : "http"}://${alb.dnsName}`;
        this.targetGroupArn = targetGroup.arn;
        this.listenerArn = listener.arn;
        this.logGroupName = artifacts.logGroup.name;
        this.accessLogBucket = accessLogs.name;
        this.artifactBucket = artifacts.bucket.name;
        this.registerOutputs({
            securityGroupId: this.securityGroupId,
            albSecurityGroupId: this.albSecurityGroupId,
            url: this.url,
            albDnsName: this.albDnsName,
            albArn: this.albArn,
            targetGroupArn: this.targetGroupArn,
            listenerArn: this.listenerArn,
            logGroupName: this.logGroupName,
        });
    }

    /** Internet (or only CloudFront) -> ALB (443, and 80 to redirect) -> fleet (app port) only; the fleet out to AWS APIs over HTTPS. */
    private securityGroups(name: string, args: Args, https: boolean, originHeader: OriginHeader | undefined): SecurityGroups {
        const parent = { parent: this };
        const albSg = new aws.ec2.SecurityGroup(
            `${name}-alb-sg`,
            { vpcId: args.vpcId, description: `${name} load balancer: web clients in, the fleet out`, tags: { Name: `${name}-alb` } },
            parent,
        );
        const fleetSg = new aws.ec2.SecurityGroup(
            `${name}-fleet-sg`,
            { vpcId: args.vpcId, description: `${name} instances: the load balancer in`, tags: { Name: `${name}-fleet` } },
            parent,
        );
        if (originHeader) {
            // One port only: CloudFront's origin protocol is HTTPS with a certificate, HTTP without. The
            // prefix list counts as 55 rules against a group's default quota of 60, so a second rule
            // referencing it would not fit.
            const cloudFront = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_PREFIX_LIST }, parent);
            const port = https ? 443 : 80;
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-alb-in-cloudfront`,
                {
                    securityGroupId: albSg.id,
                    prefixListId: cloudFront.id,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: `${https ? "HTTPS" : "HTTP"} from the CloudFront origin-facing servers only`,
                },
                parent,
            );
        } else {
            for (const port of https ? [443, 80] : [80]) {
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-alb-in-${port}`,
                    {
                        securityGroupId: albSg.id,
                        cidrIpv4: "0.0.0.0/0",
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        description:
                            port === 443
                                ? "HTTPS from anywhere"
                                : https
                                  ? "HTTP from anywhere, redirected to HTTPS"
                                  : "HTTP from anywhere (dev without a certificate)",
                    },
                    parent,
                );
            }
        }
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-to-fleet`,
            {
                securityGroupId: albSg.id,
                referencedSecurityGroupId: fleetSg.id,
                ipProtocol: "tcp",
                fromPort: args.appPort,
                toPort: args.appPort,
                description: "to the fleet on the app port",
            },
            parent,
        );
        const fromAlb = new aws.vpc.SecurityGroupIngressRule(
            `${name}-fleet-from-alb`,
            {
                securityGroupId: fleetSg.id,
                referencedSecurityGroupId: albSg.id,
                ipProtocol: "tcp",
                fromPort: args.appPort,
                toPort: args.appPort,
                description: "from the load balancer on the app port",
            },
            parent,
        );
        // AWS APIs (SSM, Secrets Manager, CloudWatch, S3 and DynamoDB through their gateway endpoints, the dnf repositories in S3) over HTTPS.
        const toHttps = new aws.vpc.SecurityGroupEgressRule(
            `${name}-fleet-to-https`,
            {
                securityGroupId: fleetSg.id,
                cidrIpv4: "0.0.0.0/0",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "HTTPS to AWS APIs and package repositories",
            },
            parent,
        );
        return { alb: albSg, fleet: fleetSg, fleetRules: [fromAlb, toHttps] };
    }

    /** The load balancer's access log bucket. ALB access logs support only SSE-S3 (AES256) buckets, not SSE-KMS. */
    private accessLogs(name: string, args: Args): SecureBucket {
        const parent = { parent: this };
        return new SecureBucket(
            `${name}-access-logs`,
            {
                // Versioned where protected (prod), so an overwrite or delete cannot erase the audit trail.
                versioning: args.context.stateful.protect,
                noncurrentVersionExpirationDays: args.context.stateful.protect ? args.accessLogExpirationDays : undefined,
                expirationDays: args.accessLogExpirationDays,
                protect: args.context.stateful.protect,
                policyStatements: (bucketArn) => [
                    {
                        Sid: "ElbDeliversAccessLogs",
                        Principal: REGIONS_WITH_ELB_LOG_ACCOUNT.has(args.context.region)
                            ? { AWS: aws.elb.getServiceAccountOutput({}, parent).arn }
                            : { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                        Action: "s3:PutObject",
                        Resource: pulumi.interpolate`${bucketArn}/${ACCESS_LOG_PREFIX}/AWSLogs/${args.context.accountId}/*`,
                    },
                ],
            },
            parent,
        );
    }

    /** The service bundle, in a private versioned bucket encrypted with the platform key, and the log group the service writes to. */
    private serviceArtifacts(name: string, args: Args): ServiceArtifacts {
        const parent = { parent: this };
        const bucket = new SecureBucket(
            `${name}-artifacts`,
            { kmsKeyArn: args.context.kmsKeyArn, versioning: true, noncurrentVersionExpirationDays: 30, protect: args.context.stateful.protect },
            parent,
        );
        const bundleKey = `${name}/${args.service.sha256}.js`;
        const bundle = new aws.s3.BucketObjectv2(
            `${name}-bundle`,
            {
                bucket: bucket.name,
                key: bundleKey,
                source: new pulumi.asset.StringAsset(args.service.code),
                contentType: "application/javascript",
                serverSideEncryption: "aws:kms",
                kmsKeyId: args.context.kmsKeyArn,
            },
            { parent: this, dependsOn: [bucket.policy] },
        );
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: platformPath(name), retentionInDays: args.logRetentionDays, kmsKeyId: args.context.kmsKeyArn },
            parent,
        );
        return { bucket, bundleKey, bundle, logGroup };
    }

    /**
     * The instances' role: read the bundle, write the log, Session Manager. EC2 passes no
     * aws:SourceAccount when it assumes an instance role, so the trust names only the service.
     */
    private instanceRoleFor(name: string, args: Args, artifacts: ServiceArtifacts): ServiceRole {
        const { bucket, logGroup } = artifacts;
        return new ServiceRole(
            `${name}-instance-role`,
            {
                service: "ec2.amazonaws.com",
                description: `${name} instances (${stackName()}): read the service bundle, write logs, Session Manager`,
                statements: [
                    { Sid: "ReadServiceBundle", Action: "s3:GetObject", Resource: pulumi.interpolate`${bucket.arn}/${name}/*` },
                    {
                        Sid: "DecryptViaS3",
                        Action: "kms:Decrypt",
                        Resource: args.context.kmsKeyArn,
                        Condition: { StringEquals: { "kms:ViaService": `s3.${args.context.region}.amazonaws.com` } },
                    },
                    {
                        Sid: "WriteServiceLog",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                    },
                    // Session Manager instead of SSH (no key pair, no port 22): the agent registers the
                    // instance and opens the session channels. These actions take no resource scope; AWS's
                    // own AWSCloud9SSMInstanceProfile grants exactly them. AmazonSSMManagedInstanceCore would
                    // add Run Command, inventory, patching and ssm:GetParameter on every parameter in the account.
                    { Sid: "SessionManager", Action: SESSION_MANAGER_ACTIONS, Resource: "*" },
                    ...(args.runtime === "beanstalk" ? beanstalkInstanceStatements(name, args) : []),
                ] satisfies Statement[],
            },
            { parent: this },
        );
    }

    /** The launch template: the current AL2023 AMI, IMDSv2 only, an encrypted gp3 root volume, and user data that runs the bundle. */
    private launchTemplate(
        name: string,
        args: Args,
        fleetSg: aws.ec2.SecurityGroup,
        artifacts: ServiceArtifacts,
        profile: aws.iam.InstanceProfile,
        tags: Record<string, string>,
    ): aws.ec2.LaunchTemplate {
        const userData = pulumi.all([artifacts.bucket.name, artifacts.logGroup.name]).apply(([bucket, logGroupName]) =>
            webUserData({
                region: args.context.region,
                bucket,
                key: artifacts.bundleKey,
                sha256: args.service.sha256,
                appPort: args.appPort,
                livenessPath: args.healthCheckPath,
                healthPath: args.dependencyHealthPath,
                parameterPath: args.parameterPath,
                logGroupName,
            }),
        );
        // The AL2023 release current at deploy time, from its public SSM parameter: a new release
        // shows in the preview as a new image and rolls the fleet through instance refresh, which
        // can then roll back (AWS cannot roll back a template whose imageId is "resolve:ssm:...").
        const ami = aws.ssm.getParameterOutput(
            { name: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${args.architecture}` },
            { parent: this },
        );
        return new aws.ec2.LaunchTemplate(
            `${name}-template`,
            {
                description: `${name} instances (${stackName()})`,
                // A public parameter, not a secret (getParameter marks `value` sensitive).
                imageId: ami.insecureValue,
                instanceType: args.instanceType,
                iamInstanceProfile: { arn: profile.arn },
                vpcSecurityGroupIds: [fleetSg.id],
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: {
                            volumeType: "gp3",
                            volumeSize: args.rootVolumeGiB,
                            encrypted: "true",
                            kmsKeyId: args.context.kmsKeyArn,
                            deleteOnTermination: "true",
                        },
                    },
                ],
                monitoring: { enabled: args.detailedMonitoring },
                userData: userData.apply((script) => Buffer.from(script).toString("base64")),
                tagSpecifications: [
                    { resourceType: "instance", tags },
                    { resourceType: "volume", tags },
                ],
                updateDefaultVersion: true,
            },
            { parent: this, dependsOn: [artifacts.bundle] },
        );
    }

    /** The instances behind the load balancer: probed on the shallow liveness path, drained and ramped up gently. */
    private targetGroup(name: string, args: Args): aws.lb.TargetGroup {
        return new aws.lb.TargetGroup(
            `${name}-tg`,
            {
                vpcId: args.vpcId,
                targetType: "instance",
                protocol: "HTTP",
                port: args.appPort,
                deregistrationDelay: args.deregistrationDelaySeconds,
                slowStart: args.slowStartSeconds,
                healthCheck: {
                    enabled: true,
                    protocol: "HTTP",
                    port: "traffic-port",
                    path: args.healthCheckPath,
                    matcher: "200",
                    interval: 15,
                    timeout: 5,
                    healthyThreshold: 2,
                    unhealthyThreshold: 3,
                },
            },
            { parent: this },
        );
    }

    /** The internet-facing ALB in the public subnets: invalid headers dropped, access logs to their bucket. */
    private loadBalancer(name: string, args: Args, albSg: aws.ec2.SecurityGroup, accessLogs: SecureBucket): aws.lb.LoadBalancer {
        return new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                loadBalancerType: "application",
                internal: false,
                securityGroups: [albSg.id],
                subnets: args.publicSubnetIds,
                dropInvalidHeaderFields: true,
                enableDeletionProtection: args.context.stateful.deletionProtection,
                accessLogs: { bucket: accessLogs.name, prefix: ACCESS_LOG_PREFIX, enabled: true },
            },
            // ELB checks on creation that it may write to the bucket.
            { parent: this, dependsOn: [accessLogs.policy] },
        );
    }

    /** HTTPS with TLS 1.3 and an HTTP->HTTPS redirect (or plain HTTP in dev); behind CloudFront, only requests with the origin header are forwarded. */
    private listeners(name: string, args: Args, alb: aws.lb.LoadBalancer, targetGroup: aws.lb.TargetGroup, originHeader: OriginHeader | undefined): Listeners {
        const parent = { parent: this };
        const forward = [{ type: "forward", targetGroupArn: targetGroup.arn }];
        // Behind CloudFront the default action refuses: only the rule that finds the origin header forwards.
        const defaultActions = originHeader
            ? [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "forbidden" } }]
            : forward;
        let listener: aws.lb.Listener;
        let redirect: aws.lb.Listener | undefined;
        if (args.certificateArn) {
            listener = new aws.lb.Listener(
                `${name}-https`,
                { loadBalancerArn: alb.arn, port: 443, protocol: "HTTPS", sslPolicy: TLS_POLICY, certificateArn: args.certificateArn, defaultActions },
                parent,
            );
            // Behind CloudFront nothing can reach port 80 (the security group admits 443 only), so there is nothing to redirect.
            if (!originHeader) {
                redirect = new aws.lb.Listener(
                    `${name}-http-redirect`,
                    {
                        loadBalancerArn: alb.arn,
                        port: 80,
                        protocol: "HTTP",
                        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
                    },
                    parent,
                );
            }
        } else {
            listener = new aws.lb.Listener(`${name}-http`, { loadBalancerArn: alb.arn, port: 80, protocol: "HTTP", defaultActions }, parent);
        }
        let fromCloudFront: aws.lb.ListenerRule | undefined;
        if (originHeader) {
            // Last in priority, so routing rules placed before it (strangler-fig migrations) win.
            fromCloudFront = new aws.lb.ListenerRule(
                `${name}-from-cloudfront`,
                {
                    listenerArn: listener.arn,
                    priority: RULE_PRIORITY.fromCloudFront,
                    conditions: [{ httpHeader: { httpHeaderName: originHeader.name, values: [originHeader.value] } }],
                    actions: forward,
                },
                parent,
            );
        }
        // The dependency report names hosts and their errors: operators reach it on the instances
        // (Session Manager), so the internet has no need to see it.
        new aws.lb.ListenerRule(
            `${name}-hide-health`,
            {
                listenerArn: listener.arn,
                priority: RULE_PRIORITY.hideHealth,
                conditions: [{ pathPattern: { values: [args.dependencyHealthPath] } }],
                actions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "not found" } }],
            },
            parent,
        );
        // On a shared ALB Elastic Beanstalk adds its own rule: the environment's CNAME as host header,
        // forwarding to its own target group with no origin-header check, so any CloudFront
        // distribution (or anyone, on a listener without one) sending that host would reach the
        // instances. No viewer or distribution of the platform's sends an Elastic Beanstalk hostname,
        // so every one is refused, on each listener, ahead of any rule Elastic Beanstalk can place.
        const refuseBeanstalkHosts =
            args.runtime === "beanstalk"
                ? [listener, ...(redirect ? [redirect] : [])].map(
                      (l, i) =>
                          new aws.lb.ListenerRule(
                              `${name}-refuse-beanstalk-hosts${i === 0 ? "" : "-redirect"}`,
                              {
                                  listenerArn: l.arn,
                                  priority: RULE_PRIORITY.refuseBeanstalkHosts,
                                  conditions: [{ hostHeader: { values: BEANSTALK_HOSTS } }],
                                  actions: [
                                      { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "403", messageBody: "forbidden" } },
                                  ],
                              },
                              parent,
                          ),
                  )
                : [];
        return { listener, fromCloudFront, refuseBeanstalkHosts };
    }

    /**
     * Starts the fleet: the Auto Scaling group and its scaling policies. Instances read their
     * settings (SSM), their grants and the data stores as they boot, and a service that finds
     * them missing exits and is replaced, over and over, until they exist: so the group is
     * created only after `startupDependencies` (pass the settings, every grant on the instance
     * role, and the data stores with whatever makes them reachable, such as a proxy's target).
     * The instance role's own policy and the fleet's own security group rules are waited for
     * already. Call once, after the grants.
     */
    launchFleet(startupDependencies: pulumi.Resource[]): aws.autoscaling.Group | BeanstalkEnvironment {
        const { args, template, targetGroup, alb, listener, fromCloudFront, instanceRole, rules, tags } = this.fleet;
        const name = this.name;
        if (!template) return this.launchEnvironment([instanceRole, ...rules, ...startupDependencies]);
        const version = template.latestVersion.apply(String);
        const group = new aws.autoscaling.Group(
            `${name}-asg`,
            {
                vpcZoneIdentifiers: args.privateSubnetIds,
                minSize: args.minSize,
                maxSize: args.maxSize,
                desiredCapacity: args.desiredCapacity,
                targetGroupArns: [targetGroup.arn],
                healthCheckType: "ELB",
                healthCheckGracePeriod: args.healthCheckGracePeriodSeconds,
                defaultInstanceWarmup: args.instanceWarmupSeconds,
                // A pinned version (not $Latest): a new template version changes the group, which starts an instance refresh.
                ...(args.spot.enabled
                    ? {
                          capacityRebalance: true,
                          mixedInstancesPolicy: {
                              launchTemplate: {
                                  launchTemplateSpecification: { launchTemplateId: template.id, version },
                                  overrides: [args.instanceType, ...args.spot.instanceTypes].map((instanceType) => ({ instanceType })),
                              },
                              instancesDistribution: {
                                  onDemandBaseCapacity: args.spot.onDemandBaseCapacity,
                                  onDemandPercentageAboveBaseCapacity: args.spot.onDemandPercentageAboveBase,
                                  // On demand in the listed order (instanceType first); Spot from the deepest, cheapest pools.
                                  onDemandAllocationStrategy: "prioritized",
                                  spotAllocationStrategy: "price-capacity-optimized",
                              },
                          },
                      }
                    : { launchTemplate: { id: template.id, version } }),
                instanceRefresh: {
                    strategy: "Rolling",
                    preferences: {
                        minHealthyPercentage: args.minHealthyPercent,
                        instanceWarmup: String(args.instanceWarmupSeconds),
                        skipMatching: true,
                        autoRollback: true,
                    },
                },
                metricsGranularity: "1Minute",
                enabledMetrics: [
                    "GroupDesiredCapacity",
                    "GroupInServiceInstances",
                    "GroupPendingInstances",
                    "GroupTerminatingInstances",
                    "GroupTotalInstances",
                ],
                tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: false })),
            },
            // Target tracking owns the desired capacity once the group exists; applying the
            // configured value again on every update would undo its scaling.
            { parent: this, ignoreChanges: ["desiredCapacity"], dependsOn: [instanceRole, ...rules, ...startupDependencies] },
        );

        new aws.autoscaling.Policy(
            `${name}-cpu-target`,
            {
                autoscalingGroupName: group.name,
                policyType: "TargetTrackingScaling",
                targetTrackingConfiguration: {
                    predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
                    targetValue: args.cpuTargetPercent,
                },
            },
            { parent: this },
        );
        new aws.autoscaling.Policy(
            `${name}-requests-target`,
            {
                autoscalingGroupName: group.name,
                policyType: "TargetTrackingScaling",
                targetTrackingConfiguration: {
                    predefinedMetricSpecification: {
                        predefinedMetricType: "ALBRequestCountPerTarget",
                        resourceLabel: pulumi.interpolate`${alb.arnSuffix}/${targetGroup.arnSuffix}`,
                    },
                    targetValue: args.requestsPerTarget,
                },
            },
            // The metric exists only once a listener routes to the target group; AWS rejects the policy before.
            { parent: this, dependsOn: fromCloudFront ? [listener, fromCloudFront] : [listener] },
        );
        return group;
    }

    /** The Elastic Beanstalk environment (runtime "beanstalk"), created after everything its instances read as they boot. */
    private launchEnvironment(dependsOn: pulumi.Resource[]): BeanstalkEnvironment {
        const { args, profile, artifacts, albSecurityGroup, alb, targetGroup, listener, fromCloudFront, refuseBeanstalkHosts } = this.fleet;
        const settings = args.beanstalk as BeanstalkSettings; // checked in the constructor
        // The platform's rules forward to its target group, which the environment's instances join
        // through an attachment to Elastic Beanstalk's Auto Scaling group: should Elastic Beanstalk
        // replace that group, the target group empties until the next `pulumi up` re-attaches. Say so.
        new aws.cloudwatch.MetricAlarm(
            `${this.name}-beanstalk-no-targets`,
            {
                alarmDescription: `${this.name} (${stackName()}): no healthy target behind the platform's listener rules; if Elastic Beanstalk replaced its Auto Scaling group, run pulumi up --refresh to re-attach it`,
                namespace: "AWS/ApplicationELB",
                metricName: "HealthyHostCount",
                dimensions: { TargetGroup: targetGroup.arnSuffix, LoadBalancer: alb.arnSuffix },
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: 3,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
                alarmActions: [args.context.alarmTopicArn],
                okActions: [args.context.alarmTopicArn],
            },
            { parent: this },
        );
        return new BeanstalkEnvironment(
            `${this.name}-beanstalk`,
            {
                ...settings,
                service: args.service,
                artifactBucket: artifacts.bucket.name,
                bundlePrefix: `${this.name}/`,
                instanceProfileName: profile.name,
                instanceSecurityGroupId: this.fleetSecurityGroup.id,
                loadBalancerArn: alb.arn,
                loadBalancerSecurityGroupId: albSecurityGroup.id,
                listenerPort: args.certificateArn ? 443 : 80,
                targetGroupArn: targetGroup.arn,
                vpcId: args.vpcId,
                privateSubnetIds: args.privateSubnetIds,
                publicSubnetIds: args.publicSubnetIds,
                instanceType: args.instanceType,
                minSize: args.minSize,
                maxSize: args.maxSize,
                rootVolumeGiB: args.rootVolumeGiB,
                detailedMonitoring: args.detailedMonitoring,
                appPort: args.appPort,
                healthCheckPath: args.healthCheckPath,
                dependencyHealthPath: args.dependencyHealthPath,
                deregistrationDelaySeconds: args.deregistrationDelaySeconds,
                parameterPath: args.parameterPath,
                logRetentionDays: args.logRetentionDays,
                context: args.context,
                // Elastic Beanstalk needs the listener to exist when it adds its rule to it, and the refusal
                // must hold its priority first: Elastic Beanstalk maps its rule to a free one, so a higher one.
                startAfter: [...dependsOn, listener, ...(fromCloudFront ? [fromCloudFront] : []), ...refuseBeanstalkHosts],
            },
            { parent: this },
        );
    }

    /** Lets the instances open connections to a data tier's security group on its port (the data tier admits them on its side). */
    allowEgressTo(tier: string, securityGroupId: pulumi.Input<string>, port: pulumi.Input<number>): aws.vpc.SecurityGroupEgressRule {
        return new aws.vpc.SecurityGroupEgressRule(
            `${this.name}-fleet-to-${tier}`,
            {
                securityGroupId: this.fleetSecurityGroup.id,
                referencedSecurityGroupId: securityGroupId,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description: `to the ${tier}`,
            },
            { parent: this },
        );
    }
}

/**
 * What an Elastic Beanstalk instance does beyond the fleet's: stream its logs to the environment's
 * log groups, report enhanced health, and use the environment's Elastic Beanstalk bucket (log
 * bundles, platform files), as AWS's AWSElasticBeanstalkWebTier policy allows, scoped to this environment.
 */
function beanstalkInstanceStatements(name: string, args: Args): Statement[] {
    const { region, accountId } = args.context;
    const environment = beanstalkEnvironmentName(`${name}-beanstalk`);
    const bucket = pulumi.interpolate`arn:aws:s3:::elasticbeanstalk-${region}-${accountId}`;
    return [
        {
            Sid: "StreamBeanstalkLogs",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "logs:DescribeLogGroups"],
            Resource: [pulumi.interpolate`arn:aws:logs:${region}:${accountId}:log-group:/aws/elasticbeanstalk/${environment}/*`],
        },
        {
            Sid: "ReportEnhancedHealth",
            Action: "elasticbeanstalk:PutInstanceStatistics",
            Resource: [pulumi.interpolate`arn:aws:elasticbeanstalk:${region}:${accountId}:environment/*/${environment}`],
        },
        { Sid: "BeanstalkBucket", Action: ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], Resource: [bucket, pulumi.interpolate`${bucket}/*`] },
    ];
}
