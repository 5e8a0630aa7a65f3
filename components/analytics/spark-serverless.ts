import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { permissionStatements } from "../grants";
import { ServiceRole } from "../iam";
import { sparkJob, sparkJobLakeAccess, sparkSchedule, type SparkPlacementArgs } from "./spark-job";
import { stackScoped } from "../names";

export interface SparkServerlessArgs extends SparkPlacementArgs {
    /** EMR release, e.g. emr-7.10.0. */
    releaseLabel: string;
    /** Most vCPUs the application's workers use at once. */
    maxVcpu: number;
    /** Most memory, in GiB, the application's workers use at once. */
    maxMemoryGiB: number;
    /** Minutes idle before the application stops (it starts again on the next job). */
    idleTimeoutMinutes: number;
    /** The Spark job runs every this many hours. */
    jobIntervalHours: number;
    /** Days the job's CloudWatch logs are kept. */
    logRetentionDays: number;
}

/**
 * An EMR Serverless Spark application in the private subnets, which starts when a job arrives,
 * stops when idle and never grows past its maximum capacity, with the daily aggregation job
 * started on a schedule as a job run.
 */
export class SparkServerless extends pulumi.ComponentResource {
    public readonly applicationId: pulumi.Output<string>;
    public readonly applicationArn: pulumi.Output<string>;
    public readonly jobRoleArn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: SparkServerlessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:analytics:SparkServerless", name, {}, opts);
        const job = sparkJob(`${name}-job`, args.lake, args.kmsKeyArn, this);
        const sg = this.securityGroup(name, args);
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `/aws/emr-serverless/${stackScoped(name)}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        const application = this.application(name, args, sg, logGroup);
        const jobRole = this.jobRole(name, args, logGroup);
        this.scheduleJob(name, args, job, application, jobRole);

        this.applicationId = application.id;
        this.applicationArn = application.arn;
        this.jobRoleArn = jobRole.arn;
        this.securityGroupId = sg.id;
        this.logGroupName = logGroup.name;
        this.registerOutputs({ applicationId: this.applicationId, jobRoleArn: this.jobRoleArn });
    }

    /** Workers open connections (S3, Glue, STS) and accept none. */
    private securityGroup(name: string, args: SparkServerlessArgs): aws.ec2.SecurityGroup {
        const sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            { vpcId: args.vpcId, description: "EMR Serverless workers: HTTPS out only", tags: { Name: `${name}-sg` } },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-https-out`,
            { securityGroupId: sg.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "AWS APIs and S3 over HTTPS" },
            { parent: this },
        );
        return sg;
    }

    private application(name: string, args: SparkServerlessArgs, sg: aws.ec2.SecurityGroup, logGroup: aws.cloudwatch.LogGroup): aws.emrserverless.Application {
        return new aws.emrserverless.Application(
            name,
            {
                name: stackScoped(name),
                releaseLabel: args.releaseLabel,
                type: "spark",
                architecture: "ARM64",
                autoStartConfiguration: { enabled: true },
                autoStopConfiguration: { enabled: true, idleTimeoutMinutes: args.idleTimeoutMinutes },
                maximumCapacity: { cpu: `${args.maxVcpu} vCPU`, memory: `${args.maxMemoryGiB} GB` },
                networkConfiguration: { subnetIds: args.subnetIds, securityGroupIds: [sg.id] },
                monitoringConfiguration: {
                    s3MonitoringConfiguration: {
                        logUri: pulumi.interpolate`s3://${args.lake.work.name}/spark-logs/serverless/`,
                        encryptionKeyArn: args.kmsKeyArn,
                    },
                    cloudwatchLoggingConfiguration: { enabled: true, logGroupName: logGroup.name },
                },
            },
            { parent: this },
        );
    }

    /** The jobs' runtime role: the lake, its own log folder, and the job's CloudWatch logs. */
    private jobRole(name: string, args: SparkServerlessArgs, logGroup: aws.cloudwatch.LogGroup): ServiceRole {
        const { lake } = args;
        return new ServiceRole(
            `${name}-job-role`,
            {
                service: "emr-serverless.amazonaws.com",
                accountId: args.accountId,
                description: "Runtime role of the Spark jobs on the EMR Serverless application",
                statements: [
                    ...permissionStatements(...sparkJobLakeAccess(lake), lake.readWritePermission(lake.work, "spark-logs/serverless", "SparkLogs")),
                    // The job encrypts the logs it uploads with the application's log key itself, not through S3.
                    { Sid: "EncryptJobLogs", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.kmsKeyArn },
                    {
                        Sid: "FindLogGroup",
                        Action: "logs:DescribeLogGroups",
                        Resource: pulumi.interpolate`arn:aws:logs:${args.region}:${args.accountId}:log-group:*`,
                    },
                    {
                        Sid: "WriteJobLogs",
                        Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                        Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                    },
                ],
            },
            { parent: this },
        );
    }

    /** The daily aggregation, started on a schedule as a job run. */
    private scheduleJob(
        name: string,
        args: SparkServerlessArgs,
        job: ReturnType<typeof sparkJob>,
        application: aws.emrserverless.Application,
        jobRole: ServiceRole,
    ): void {
        sparkSchedule(
            `${name}-schedule`,
            {
                intervalHours: args.jobIntervalHours,
                targetArn: "arn:aws:scheduler:::aws-sdk:emrserverless:startJobRun",
                input: pulumi.jsonStringify({
                    ApplicationId: application.id,
                    // Unique per scheduled invocation, so a retried call cannot start a second run.
                    ClientToken: "<aws.scheduler.execution-id>",
                    ExecutionRoleArn: jobRole.arn,
                    Name: "daily-aggregates",
                    JobDriver: {
                        SparkSubmit: {
                            EntryPoint: job.entryPoint,
                            EntryPointArguments: job.arguments,
                            SparkSubmitParameters: "--conf spark.sql.sources.partitionOverwriteMode=dynamic",
                        },
                    },
                }),
                statements: [
                    { Sid: "StartJobRun", Action: "emr-serverless:StartJobRun", Resource: [application.arn, pulumi.interpolate`${application.arn}/jobruns/*`] },
                    {
                        Sid: "PassJobRole",
                        Action: "iam:PassRole",
                        Resource: jobRole.arn,
                        Condition: { StringEquals: { "iam:PassedToService": "emr-serverless.amazonaws.com" } },
                    },
                    // The application encrypts its S3 logs with the platform key, and EMR Serverless
                    // rejects a job run whose submitter may not use that key (decrypting is granted below).
                    { Sid: "SubmitWithLogKey", Action: "kms:GenerateDataKey", Resource: args.kmsKeyArn },
                ],
                kmsKeyArn: args.kmsKeyArn,
                accountId: args.accountId,
            },
            this,
        );
    }
}
