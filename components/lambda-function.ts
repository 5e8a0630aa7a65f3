import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Grantee, Permission } from "./grants";
import { ServiceRole, type Statement } from "./iam";
import { bundleService } from "./service-bundle";
import { platformPath } from "./names";

export interface PlatformFunctionArgs {
    /** The handler's TypeScript entry file (in services/); bundled with esbuild when the program runs. */
    entry: string;
    /** The exported handler function's name. */
    handlerExport?: string;
    description: string;
    /** Encrypts the environment variables and the log group. */
    kmsKeyArn: pulumi.Input<string>;
    logRetentionDays: number;
    memoryMb?: number;
    timeoutSeconds?: number;
    environment?: Record<string, pulumi.Input<string>>;
    /** Concurrency reserved for this function alone: a bulkhead, so it can neither starve nor be starved by others. */
    reservedConcurrency?: number;
    /** Runs the function in these subnets with these security groups (to reach data stores). */
    vpc?: { subnetIds: pulumi.Input<pulumi.Input<string>[]>; securityGroupIds: pulumi.Input<pulumi.Input<string>[]> };
    /** Least-privilege statements for what the function itself calls. */
    statements?: Statement[];
    /** Other components' permissions, folded into the role's own policy (see components/grants.ts). */
    grants?: Permission[];
}

/** The settings a component passes through to its function unchanged. */
export const FUNCTION_SETTINGS = [
    "entry",
    "description",
    "kmsKeyArn",
    "logRetentionDays",
    "memoryMb",
    "timeoutSeconds",
    "environment",
    "reservedConcurrency",
] as const;
export type FunctionSettings = Pick<PlatformFunctionArgs, (typeof FUNCTION_SETTINGS)[number]>;

/** The function settings out of a component's args. */
export function functionSettings(args: FunctionSettings): FunctionSettings {
    return Object.fromEntries(FUNCTION_SETTINGS.map((k) => [k, args[k]])) as FunctionSettings;
}

/**
 * A Lambda function the platform way: code bundled from services/, Node.js 22 on arm64, its own
 * role trusted by lambda.amazonaws.com with only its statements, a KMS-encrypted log group with
 * retention (created first, so Lambda never creates one that keeps logs forever), JSON logs,
 * X-Ray tracing and environment encryption with the platform key. A grantee under its own name.
 */
export class PlatformFunction extends pulumi.ComponentResource implements Grantee {
    public readonly function: aws.lambda.Function;
    public readonly role: aws.iam.Role;
    public readonly arn: pulumi.Output<string>;
    public readonly functionName: pulumi.Output<string>;
    public readonly invokeArn: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    public readonly granteeName: string;
    public readonly roleName: pulumi.Output<string>;
    private readonly name: string;

    constructor(name: string, args: PlatformFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:serverless:PlatformFunction", name, {}, opts);
        this.name = name;
        const bundle = bundleService(args.entry);

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: platformPath("lambda", name), retentionInDays: args.logRetentionDays, kmsKeyId: args.kmsKeyArn },
            { parent: this },
        );
        const statements: Statement[] = [
            { Sid: "WriteOwnLogs", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logGroup.arn}:*` },
            // X-Ray accepts trace segments only on "*": these two actions have no resource scope.
            { Sid: "Tracing", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
            ...(args.grants ?? []).flatMap((p) => p.statements),
            ...(args.statements ?? []),
        ];
        const role = new ServiceRole(
            `${name}-role`,
            {
                service: "lambda.amazonaws.com",
                description: `Runs the ${name} function`,
                statements,
                // Creating and deleting the function's network interfaces in its subnets.
                managedPolicyArns: args.vpc ? ["arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"] : [],
            },
            { parent: this },
        );

        this.function = new aws.lambda.Function(
            `${name}-fn`,
            {
                description: args.description,
                // nodejs20.x is deprecated (April 2026); AWS blocks creating functions on it from February 2027.
                runtime: aws.lambda.Runtime.NodeJS22dX,
                architectures: ["arm64"],
                handler: `index.${args.handlerExport ?? "handler"}`,
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
                sourceCodeHash: Buffer.from(bundle.sha256, "hex").toString("base64"),
                role: role.arn,
                memorySize: args.memoryMb ?? 256,
                timeout: args.timeoutSeconds ?? 30,
                kmsKeyArn: args.kmsKeyArn,
                environment: args.environment ? { variables: args.environment } : undefined,
                reservedConcurrentExecutions: args.reservedConcurrency,
                tracingConfig: { mode: "Active" },
                loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
                vpcConfig: args.vpc,
            },
            // The role's policy must exist before the function first runs.
            { parent: this, dependsOn: [role] },
        );
        this.role = role.role;
        this.granteeName = name;
        this.roleName = role.name;
        this.arn = this.function.arn;
        this.functionName = this.function.name;
        this.invokeArn = this.function.invokeArn;
        this.logGroupName = logGroup.name;
        this.registerOutputs({ arn: this.arn, functionName: this.functionName, logGroupName: this.logGroupName });
    }

    /** Lets an AWS service invoke the function, from one source ARN only. */
    allowInvoke(id: string, principal: string, sourceArn: pulumi.Input<string>): aws.lambda.Permission {
        return new aws.lambda.Permission(
            `${this.name}-invoke-${id}`,
            { action: "lambda:InvokeFunction", function: this.function.name, principal, sourceArn },
            { parent: this },
        );
    }
}
