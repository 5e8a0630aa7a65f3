import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformContext } from "./context";
import { ServiceRole } from "./iam";
import { stackIdentifier, stackName } from "./names";
import type { ServiceBundle } from "./service-bundle";
import { withDefaults, type WithDefaults } from "../lib/defaults";

/** How the Elastic Beanstalk environment is run: its platform, deployments and managed updates. */
export interface BeanstalkSettings {
    /** Regular expression naming the solution stack; the most recent match is resolved at deploy time. */
    solutionStackPattern: string;
    /** How a new application version rolls out; both keep full capacity. */
    deploymentPolicy: "RollingWithAdditionalBatch" | "Immutable";
    /** Weekly UTC start of the managed platform update window, e.g. "Sun:03:00". */
    updateWindow: string;
    /** Highest platform version level managed updates apply. */
    updateLevel: "minor" | "patch";
}

export interface BeanstalkEnvironmentArgs extends BeanstalkSettings {
    /** The web service bundle the instances run (see bundleService); shipped with a Procfile as the application version. */
    service: ServiceBundle;
    /** The artifacts bucket the application version lives in (SSE-KMS with the platform key). */
    artifactBucket: pulumi.Input<string>;
    /** Key prefix, ending in "/", under which the instance role may read bundles. */
    bundlePrefix: string;
    /** The instance profile of the role the fleet would use: the same grantee, so data stores admit both alike. */
    instanceProfileName: pulumi.Input<string>;
    /** The instances' security group: data stores admit it. */
    instanceSecurityGroupId: pulumi.Input<string>;
    /** The platform's ALB, shared with the environment. */
    loadBalancerArn: pulumi.Input<string>;
    /** The ALB's own security group, so Elastic Beanstalk attaches no security group of its own to it. */
    loadBalancerSecurityGroupId: pulumi.Input<string>;
    /** Port of the listener that serves traffic (443, or 80 in dev without a certificate). */
    listenerPort: number;
    /** The platform's target group, which its listener rules (origin header, strangler fig) forward to; the environment's instances join it. */
    targetGroupArn: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** Private subnets for the instances (egress through NAT), one per AZ. */
    privateSubnetIds: pulumi.Input<string[]>;
    /** Public subnets the shared load balancer is in. */
    publicSubnetIds: pulumi.Input<string[]>;
    instanceType: string;
    minSize: number;
    maxSize: number;
    /** Size of each instance's gp3 root volume. */
    rootVolumeGiB: number;
    /** One-minute instance metrics (billed per instance). */
    detailedMonitoring: boolean;
    /** Port the service listens on. */
    appPort: number;
    /** Shallow liveness path the load balancer probes. */
    healthCheckPath: string;
    /** Deep dependency report path (the ALB answers it 404). */
    dependencyHealthPath: string;
    /** Seconds a draining target keeps serving in-flight requests. */
    deregistrationDelaySeconds: number;
    /** SSM path, ending in "/", the service reads its settings from. */
    parameterPath: string;
    /** Days the streamed instance and application logs are kept. */
    logRetentionDays: number;
    /**
     * Application versions kept; older ones are deleted (their bundles stay in the versioned bucket).
     * @default 50
     */
    maxVersions?: number;
    /** The environment: region, account, platform key (see PlatformContext). */
    context: PlatformContext;
    /**
     * What the environment itself is created after (a component's own dependsOn does not hold its
     * children back): what the instances read as they boot, and the listener with its rules.
     */
    startAfter: pulumi.Resource[];
}

/** The defaults of BeanstalkEnvironmentArgs's optional fields. */
export const BEANSTALK_ENVIRONMENT_DEFAULTS = { maxVersions: 50 } as const;

type Args = WithDefaults<BeanstalkEnvironmentArgs, typeof BEANSTALK_ENVIRONMENT_DEFAULTS>;

/** The AWS-managed policies Elastic Beanstalk's service role needs: enhanced health, and managed platform updates. */
export const BEANSTALK_SERVICE_POLICIES = [
    "arn:aws:iam::aws:policy/service-role/AWSElasticBeanstalkEnhancedHealth",
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy",
];

/** The environment's name (at most 40 characters), scoped by the stack. */
export function beanstalkEnvironmentName(name: string): string {
    return stackIdentifier(name, 40);
}

/** One Elastic Beanstalk option setting. */
export interface OptionSetting {
    namespace: string;
    name: string;
    value: pulumi.Input<string>;
}

/**
 * The web service as an Elastic Beanstalk environment on the platform's one ALB, shared
 * (`LoadBalancerIsShared`): Node.js 22 on Amazon Linux 2023 (the newest solution stack matching
 * the pattern), instances in the private subnets with no public IP, IMDSv2 only, gp3 root
 * volumes, the fleet's own instance role and security group; enhanced health; managed platform
 * updates weekly; logs streamed to CloudWatch. The instances also join the platform's target
 * group, so the listener rules it owns (origin header, strangler fig) keep forwarding to them.
 */
export class BeanstalkEnvironment extends pulumi.ComponentResource {
    public readonly environmentName: pulumi.Output<string>;
    public readonly applicationName: pulumi.Output<string>;
    /** The environment's CNAME (on the shared ALB). */
    public readonly cname: pulumi.Output<string>;

    constructor(name: string, given: BeanstalkEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:web:BeanstalkEnvironment", name, {}, opts);
        const args = withDefaults(BEANSTALK_ENVIRONMENT_DEFAULTS, given);
        const parent = { parent: this };
        const serviceRole = new ServiceRole(
            `${name}-service-role`,
            // The trust AWS documents for the Elastic Beanstalk service role.
            {
                service: "elasticbeanstalk.amazonaws.com",
                externalId: "elasticbeanstalk",
                managedPolicyArns: BEANSTALK_SERVICE_POLICIES,
                description: `${name} (${stackName()}): Elastic Beanstalk manages the environment`,
            },
            parent,
        );
        const application = new aws.elasticbeanstalk.Application(
            `${name}-app`,
            {
                name: stackIdentifier(name, 100),
                description: `The web service (${stackName()})`,
                appversionLifecycle: { serviceRole: serviceRole.arn, maxCount: args.maxVersions, deleteSourceFromS3: false },
            },
            parent,
        );
        const version = this.applicationVersion(name, args, application);
        // Elastic Beanstalk has no root-volume encryption option: EBS encryption by default (this
        // region of the account, AWS-managed aws/ebs key) encrypts the volumes it launches. Kept on
        // delete: turning it off again could leave other workloads' new volumes unencrypted.
        const encryption = new aws.ebs.EncryptionByDefault(`${name}-ebs-encryption`, { enabled: true }, { parent: this, retainOnDelete: true });
        // Resolved at deploy time: a new platform version shows in the preview as a new solution stack.
        const stack = aws.elasticbeanstalk.getSolutionStackOutput({ mostRecent: true, nameRegex: args.solutionStackPattern }, parent);
        const environment = new aws.elasticbeanstalk.Environment(
            `${name}-env`,
            {
                name: beanstalkEnvironmentName(name),
                application: application.name,
                tier: "WebServer",
                solutionStackName: stack.name,
                version,
                settings: beanstalkSettings(args, serviceRole.arn),
            },
            { parent: this, dependsOn: [serviceRole, encryption, ...args.startAfter] },
        );
        // The platform's listener rules forward to its own target group: the environment's instances join it.
        new aws.autoscaling.Attachment(
            `${name}-target-group`,
            { autoscalingGroupName: environment.autoscalingGroups[0], lbTargetGroupArn: args.targetGroupArn },
            parent,
        );

        this.environmentName = environment.name;
        this.applicationName = application.name;
        this.cname = environment.cname;
        this.registerOutputs({ environmentName: this.environmentName, applicationName: this.applicationName, cname: this.cname });
    }

    /** The bundle with a Procfile (the Node.js platform runs its `web:` command), as a zip in the artifacts bucket. */
    private applicationVersion(name: string, args: Args, application: aws.elasticbeanstalk.Application): aws.elasticbeanstalk.ApplicationVersion {
        const key = `${args.bundlePrefix}${args.service.sha256}.zip`;
        const source = new aws.s3.BucketObjectv2(
            `${name}-source`,
            {
                bucket: args.artifactBucket,
                key,
                source: new pulumi.asset.AssetArchive({
                    "server.js": new pulumi.asset.StringAsset(args.service.code),
                    Procfile: new pulumi.asset.StringAsset("web: node server.js\n"),
                }),
                contentType: "application/zip",
                serverSideEncryption: "aws:kms",
                kmsKeyId: args.context.kmsKeyArn,
            },
            { parent: this },
        );
        return new aws.elasticbeanstalk.ApplicationVersion(
            `${name}-version`,
            // The label is the bundle's hash: a new bundle is a new version, deployed with the deployment policy.
            {
                name: args.service.sha256.slice(0, 16),
                application: application.name,
                bucket: source.bucket,
                key: source.key,
                description: `web service ${args.service.sha256}`,
            },
            { parent: this },
        );
    }
}

/** The environment's option settings (namespaces and names as Elastic Beanstalk's general options reference spells them). */
export function beanstalkSettings(args: Args, serviceRoleArn: pulumi.Input<string>): OptionSetting[] {
    const o = (namespace: string, name: string, value: pulumi.Input<string>): OptionSetting => ({ namespace, name, value });
    const csv = (ids: pulumi.Input<string[]>) => pulumi.output(ids).apply((l) => l.join(","));
    const process = "aws:elasticbeanstalk:environment:process:default";
    return [
        o("aws:elasticbeanstalk:environment", "EnvironmentType", "LoadBalanced"),
        o("aws:elasticbeanstalk:environment", "ServiceRole", serviceRoleArn),
        o("aws:elasticbeanstalk:environment", "LoadBalancerType", "application"),
        o("aws:elasticbeanstalk:environment", "LoadBalancerIsShared", "true"),
        // For a shared ALB only SharedLoadBalancer and SecurityGroups apply; naming the ALB's own group keeps Elastic Beanstalk from attaching one that admits the internet.
        o("aws:elbv2:loadbalancer", "SharedLoadBalancer", args.loadBalancerArn),
        o("aws:elbv2:loadbalancer", "SecurityGroups", args.loadBalancerSecurityGroupId),
        // Its default rule (host header: the environment's CNAME) on the serving listener; viewers arrive through the platform's own rules.
        o(`aws:elbv2:listener:${args.listenerPort}`, "Rules", "default"),
        o(process, "Port", String(args.appPort)),
        o(process, "Protocol", "HTTP"),
        o(process, "HealthCheckPath", args.healthCheckPath),
        o(process, "MatcherHTTPCode", "200"),
        o(process, "DeregistrationTimeout", String(args.deregistrationDelaySeconds)),
        o("aws:ec2:vpc", "VPCId", args.vpcId),
        o("aws:ec2:vpc", "Subnets", csv(args.privateSubnetIds)),
        o("aws:ec2:vpc", "ELBSubnets", csv(args.publicSubnetIds)),
        o("aws:ec2:vpc", "AssociatePublicIpAddress", "false"),
        o("aws:autoscaling:asg", "MinSize", String(args.minSize)),
        o("aws:autoscaling:asg", "MaxSize", String(args.maxSize)),
        o("aws:ec2:instances", "InstanceTypes", args.instanceType),
        o("aws:autoscaling:launchconfiguration", "IamInstanceProfile", args.instanceProfileName),
        o("aws:autoscaling:launchconfiguration", "SecurityGroups", args.instanceSecurityGroupId),
        // IMDSv2 only; this and gp3 make Elastic Beanstalk launch from a launch template, whose volumes EBS encryption by default encrypts.
        o("aws:autoscaling:launchconfiguration", "DisableIMDSv1", "true"),
        o("aws:autoscaling:launchconfiguration", "RootVolumeType", "gp3"),
        o("aws:autoscaling:launchconfiguration", "RootVolumeSize", String(args.rootVolumeGiB)),
        o("aws:autoscaling:launchconfiguration", "MonitoringInterval", args.detailedMonitoring ? "1 minute" : "5 minute"),
        o("aws:elasticbeanstalk:healthreporting:system", "SystemType", "enhanced"),
        o("aws:elasticbeanstalk:managedactions", "ManagedActionsEnabled", "true"),
        o("aws:elasticbeanstalk:managedactions", "PreferredStartTime", args.updateWindow),
        o("aws:elasticbeanstalk:managedactions", "ServiceRoleForManagedUpdates", serviceRoleArn),
        o("aws:elasticbeanstalk:managedactions:platformupdate", "UpdateLevel", args.updateLevel),
        o("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true"),
        o("aws:elasticbeanstalk:cloudwatch:logs", "DeleteOnTerminate", "false"),
        o("aws:elasticbeanstalk:cloudwatch:logs", "RetentionInDays", String(args.logRetentionDays)),
        o("aws:elasticbeanstalk:command", "DeploymentPolicy", args.deploymentPolicy),
        // Where the service finds its settings (SSM, by path) and how it serves: no secrets here.
        ...Object.entries({
            PORT: String(args.appPort),
            LIVENESS_PATH: args.healthCheckPath,
            HEALTH_PATH: args.dependencyHealthPath,
            SSM_PATH: args.parameterPath,
            AWS_REGION: args.context.region,
            NODE_ENV: "production",
        }).map(([k, v]) => o("aws:elasticbeanstalk:application:environment", k, v)),
    ];
}
