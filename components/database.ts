import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Grants, secretRead, type Grantee, type Permission } from "./grants";
import { ServiceRole } from "./iam";
import { stackIdentifier } from "./names";
import { guardedSecurityGroup } from "./security-groups";
import type { PlatformContext } from "./context";
import { withDefaults, type WithDefaults } from "../lib/defaults";

export interface DatabaseArgs {
    /**
     * PostgreSQL version; the parameter group family follows its major version.
     * @default "17"
     */
    engineVersion?: string;
    /** RDS instance class. */
    instanceClass: string;
    /** Initial encrypted gp3 storage. */
    allocatedStorageGiB: number;
    /** Storage autoscaling ceiling; at least 10% above allocatedStorageGiB. */
    maxAllocatedStorageGiB: number;
    /**
     * Name of the database created in the instance.
     * @default "app"
     */
    databaseName?: string;
    /**
     * Master user; its password is generated and kept in Secrets Manager by RDS.
     * @default "app_admin"
     */
    username?: string;
    /** A synchronous standby in another AZ with automatic failover (required in prod). */
    multiAz: boolean;
    /** Days automated backups are kept (at least 7 in prod). */
    backupRetentionDays: number;
    /** Performance Insights, encrypted with the platform key (required in prod). */
    performanceInsights: boolean;
    /**
     * Days Performance Insights keeps its data: 7 (free tier), 31 x months (1-23), or 731.
     * @default 7
     */
    performanceInsightsRetentionDays?: number;
    /** Enhanced monitoring interval; 0 disables it (required in prod). */
    monitoringIntervalSeconds: 0 | 1 | 5 | 10 | 15 | 30 | 60;
    /** Days exported PostgreSQL logs are kept. */
    logRetentionDays: number;
    /** RDS Proxy connection pooling. */
    proxy: {
        /** Share of the database's max_connections the proxy may open. */
        maxConnectionsPercent: number;
        /** Share of max_connections the proxy keeps open while idle; at most maxConnectionsPercent. */
        maxIdleConnectionsPercent: number;
        /** Seconds a client waits for a pooled connection before an error. */
        connectionBorrowTimeoutSeconds: number;
        /** Seconds an idle client connection stays open (at most 8 hours). */
        idleClientTimeoutSeconds: number;
    };
    vpcId: pulumi.Input<string>;
    /** Isolated subnets in at least 2 AZs, for the DB subnet group and the proxy. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups of the clients (the web fleet) admitted to the proxy. */
    clientSecurityGroupIds: pulumi.Input<string>[];
    /** The environment: region, account, platform key, alarm topic and the protection decisions (see PlatformContext). */
    context: PlatformContext;
}

/** The defaults of DatabaseArgs's optional fields (each documented with `@default`). */
export const DATABASE_DEFAULTS = { engineVersion: "17", databaseName: "app", username: "app_admin", performanceInsightsRetentionDays: 7 } as const;

export const POSTGRES_PORT = 5432;

/** The PostgreSQL logs the instance exports to CloudWatch. */
export const EXPORTED_LOGS = ["postgresql", "upgrade"] as const;

const ENHANCED_MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole";

/**
 * The IAM resource a client needs `rds-db:connect` on to log in through a proxy as `username`:
 * the proxy's resource id (`prx-...`, the last part of its ARN) in place of an instance's.
 */
export function proxyDbUserArn(proxyArn: string, username: string): string {
    const parts = proxyArn.split(":");
    if (parts.length !== 7 || parts[2] !== "rds" || parts[5] !== "db-proxy" || !parts[6].startsWith("prx-")) {
        throw new Error(`not an RDS proxy ARN: ${proxyArn}`);
    }
    const [, partition, , region, account, , resourceId] = parts;
    return `arn:${partition}:rds-db:${region}:${account}:dbuser:${resourceId}/${username}`;
}

type Args = WithDefaults<DatabaseArgs, typeof DATABASE_DEFAULTS>;

/** The proxy's security group (clients in) and the instance's (the proxy in). */
interface SecurityGroups {
    proxy: aws.ec2.SecurityGroup;
    instance: aws.ec2.SecurityGroup;
}

/** What the instance is created with, beside its security group. */
interface InstanceSettings {
    subnetGroup: aws.rds.SubnetGroup;
    parameters: aws.rds.ParameterGroup;
    /** Its exported logs' groups, created before it. */
    logGroups: aws.cloudwatch.LogGroup[];
    /** Enhanced monitoring's role, when monitoring is on. */
    monitoringRole?: ServiceRole;
}

/**
 * RDS PostgreSQL behind RDS Proxy. The instance sits in isolated subnets with encrypted gp3
 * storage that autoscales, a master password RDS generates and keeps in Secrets Manager, SSL
 * forced, and its logs in CloudWatch. Clients reach it only through the proxy, which requires
 * TLS and IAM authentication and logs in to the database with the managed secret.
 * Security groups: clients -> proxy -> instance, each on 5432 only.
 */
export class Database extends pulumi.ComponentResource {
    /** Where clients connect (TLS, IAM token as the password). */
    public readonly proxyEndpoint: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly databaseName: pulumi.Output<string>;
    /** The database user clients log in as through the proxy. */
    public readonly username: pulumi.Output<string>;
    /** The RDS-managed secret holding the master credentials (never exported by value). */
    public readonly secretArn: pulumi.Output<string>;
    public readonly instanceSecurityGroupId: pulumi.Output<string>;
    public readonly proxySecurityGroupId: pulumi.Output<string>;
    public readonly instanceIdentifier: pulumi.Output<string>;
    public readonly proxyArn: pulumi.Output<string>;

    private readonly grants: Grants;
    private readonly componentName: string;

    constructor(name: string, given: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:database:Database", name, {}, opts);
        const args = withDefaults(DATABASE_DEFAULTS, given);
        this.grants = new Grants(this, name);
        this.componentName = name;
        const identifier = stackIdentifier(name, 63);

        const groups = this.securityGroups(name, args, identifier);
        const settings = this.instanceSettings(name, args, identifier);
        const instance = this.instance(name, args, identifier, groups.instance, settings);
        const secretArn = instance.masterUserSecrets.apply((secrets) => {
            const arn = secrets[0]?.secretArn;
            if (!arn) throw new Error(`${identifier}: RDS reported no managed master secret`);
            return arn;
        });
        const proxy = this.proxy(name, args, identifier, groups.proxy, instance, secretArn);

        this.proxyEndpoint = proxy.endpoint;
        this.port = pulumi.output(POSTGRES_PORT);
        this.databaseName = instance.dbName;
        this.username = instance.username;
        this.secretArn = secretArn;
        this.instanceSecurityGroupId = groups.instance.id;
        this.proxySecurityGroupId = groups.proxy.id;
        this.instanceIdentifier = instance.identifier;
        this.proxyArn = proxy.arn;
        this.registerOutputs({
            proxyEndpoint: this.proxyEndpoint,
            port: this.port,
            databaseName: this.databaseName,
            username: this.username,
            secretArn: this.secretArn,
            instanceSecurityGroupId: this.instanceSecurityGroupId,
            proxySecurityGroupId: this.proxySecurityGroupId,
            instanceIdentifier: this.instanceIdentifier,
            proxyArn: this.proxyArn,
        });
    }

    /** The chain clients -> proxy -> instance. A gap anywhere shows up only as a connection timeout. */
    private securityGroups(name: string, args: Args, identifier: string): SecurityGroups {
        const proxySg = guardedSecurityGroup(
            `${name}-proxy-sg`,
            {
                vpcId: args.vpcId,
                description: `RDS Proxy of ${identifier}: clients only`,
                port: POSTGRES_PORT,
                sources: args.clientSecurityGroupIds,
                sourceDescription: "database clients",
            },
            this,
        );
        const instanceSg = guardedSecurityGroup(
            `${name}-db-sg`,
            {
                vpcId: args.vpcId,
                description: `PostgreSQL ${identifier}: its proxy only`,
                port: POSTGRES_PORT,
                sources: [proxySg.id],
                sourceDescription: "RDS Proxy",
            },
            this,
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-proxy-to-db`,
            {
                securityGroupId: proxySg.id,
                referencedSecurityGroupId: instanceSg.id,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                description: `To PostgreSQL on ${POSTGRES_PORT}`,
            },
            { parent: this },
        );
        return { proxy: proxySg, instance: instanceSg };
    }

    /** What the instance is created with: its subnets, its parameters (SSL only), its log groups and its monitoring role. */
    private instanceSettings(name: string, args: Args, identifier: string): InstanceSettings {
        const major = args.engineVersion.split(".")[0];
        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { subnetIds: args.subnetIds, description: `Isolated subnets of ${identifier}` },
            { parent: this },
        );
        const parameters = new aws.rds.ParameterGroup(
            `${name}-params`,
            { family: `postgres${major}`, description: `PostgreSQL ${major} for ${identifier}: SSL only`, parameters: [{ name: "rds.force_ssl", value: "1" }] },
            { parent: this },
        );

        // Created first, under the names RDS writes to, so they carry retention and encryption
        // instead of RDS creating them without either.
        const logGroups = EXPORTED_LOGS.map(
            (log) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-log-${log}`,
                    { name: `/aws/rds/instance/${identifier}/${log}`, retentionInDays: args.logRetentionDays, kmsKeyId: args.context.kmsKeyArn },
                    { parent: this },
                ),
        );

        const monitoringRole =
            args.monitoringIntervalSeconds > 0
                ? new ServiceRole(
                      `${name}-monitoring`,
                      {
                          service: "monitoring.rds.amazonaws.com",
                          accountId: args.context.accountId,
                          description: `Enhanced monitoring of ${identifier}`,
                          managedPolicyArns: [ENHANCED_MONITORING_POLICY],
                      },
                      { parent: this },
                  )
                : undefined;
        return { subnetGroup, parameters, logGroups, monitoringRole };
    }

    /** The PostgreSQL instance: isolated, encrypted, its master password managed by RDS, protected and snapshotted as the environment decides. */
    private instance(name: string, args: Args, identifier: string, instanceSg: aws.ec2.SecurityGroup, settings: InstanceSettings): aws.rds.Instance {
        const { subnetGroup, parameters, logGroups, monitoringRole } = settings;
        const finalSnapshot = args.context.stateful.finalSnapshot;
        return new aws.rds.Instance(
            `${name}-db`,
            {
                identifier,
                engine: "postgres",
                engineVersion: args.engineVersion,
                instanceClass: args.instanceClass,
                allocatedStorage: args.allocatedStorageGiB,
                maxAllocatedStorage: args.maxAllocatedStorageGiB,
                storageType: "gp3",
                storageEncrypted: true,
                kmsKeyId: args.context.kmsKeyArn,
                dbName: args.databaseName,
                username: args.username,
                manageMasterUserPassword: true,
                masterUserSecretKmsKeyId: args.context.kmsKeyArn,
                port: POSTGRES_PORT,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [instanceSg.id],
                parameterGroupName: parameters.name,
                publiclyAccessible: false,
                multiAz: args.multiAz,
                caCertIdentifier: "rds-ca-rsa2048-g1",
                autoMinorVersionUpgrade: true,
                allowMajorVersionUpgrade: false,
                backupRetentionPeriod: args.backupRetentionDays,
                copyTagsToSnapshot: true,
                deletionProtection: args.context.stateful.deletionProtection,
                skipFinalSnapshot: !finalSnapshot,
                finalSnapshotIdentifier: finalSnapshot ? `${identifier}-final` : undefined,
                // With a final snapshot kept, the automated backups are kept too.
                deleteAutomatedBackups: !finalSnapshot,
                enabledCloudwatchLogsExports: [...EXPORTED_LOGS],
                performanceInsightsEnabled: args.performanceInsights,
                performanceInsightsKmsKeyId: args.performanceInsights ? args.context.kmsKeyArn : undefined,
                performanceInsightsRetentionPeriod: args.performanceInsights ? args.performanceInsightsRetentionDays : undefined,
                monitoringInterval: args.monitoringIntervalSeconds,
                monitoringRoleArn: monitoringRole?.arn,
            },
            { parent: this, protect: args.context.stateful.protect, dependsOn: monitoringRole ? [...logGroups, monitoringRole] : logGroups },
        );
    }

    /** RDS Proxy in front of the instance: TLS and IAM authentication for clients, the managed secret towards the database, a connection pool. */
    private proxy(
        name: string,
        args: Args,
        identifier: string,
        proxySg: aws.ec2.SecurityGroup,
        instance: aws.rds.Instance,
        secretArn: pulumi.Output<string>,
    ): aws.rds.Proxy {
        // RDS Proxy assumes this role to read the credentials. Its trust carries no
        // aws:SourceAccount: the proxy's documented trust policy has none.
        const proxyRole = new ServiceRole(
            `${name}-proxy-role`,
            {
                service: "rds.amazonaws.com",
                description: `Lets the RDS Proxy of ${identifier} read its database secret`,
                statements: secretRead(secretArn, args.context.kmsKeyArn, args.context.region),
            },
            { parent: this },
        );
        const proxy = new aws.rds.Proxy(
            `${name}-proxy`,
            {
                engineFamily: "POSTGRESQL",
                requireTls: true,
                roleArn: proxyRole.arn,
                vpcSubnetIds: args.subnetIds,
                vpcSecurityGroupIds: [proxySg.id],
                idleClientTimeout: args.proxy.idleClientTimeoutSeconds,
                debugLogging: false,
                auths: [{ authScheme: "SECRETS", secretArn, iamAuth: "REQUIRED", description: `Master user of ${identifier}, IAM auth for clients` }],
            },
            // The role's policy must exist before the proxy first reads the secret.
            { parent: this, dependsOn: [proxyRole] },
        );
        const pool = new aws.rds.ProxyDefaultTargetGroup(
            `${name}-proxy-pool`,
            {
                dbProxyName: proxy.name,
                connectionPoolConfig: {
                    maxConnectionsPercent: args.proxy.maxConnectionsPercent,
                    maxIdleConnectionsPercent: args.proxy.maxIdleConnectionsPercent,
                    connectionBorrowTimeout: args.proxy.connectionBorrowTimeoutSeconds,
                },
            },
            { parent: this },
        );
        new aws.rds.ProxyTarget(
            `${name}-proxy-target`,
            { dbProxyName: proxy.name, targetGroupName: pool.name, dbInstanceIdentifier: instance.identifier },
            { parent: this },
        );
        return proxy;
    }

    /** Logging in through the proxy as the database user, with an IAM auth token (`rds-db:connect` on that user alone). */
    connectPermission(): Permission {
        const dbUser = pulumi.all([this.proxyArn, this.username]).apply(([arn, user]) => proxyDbUserArn(arn, user));
        return this.grants.permission("connect", [{ Sid: "ConnectThroughProxy", Action: "rds-db:connect", Resource: dbUser }]);
    }

    /** Grants `connectPermission` as the policy `<database>-connect-<grantee>`. */
    grantConnect(grantee: Grantee): aws.iam.RolePolicy {
        return this.grants.grant(this.connectPermission(), grantee);
    }

    /** Admits one more client security group to the proxy on 5432 (a client created after the database, such as a VPC Lambda). */
    allowClient(id: string, securityGroupId: pulumi.Input<string>): aws.vpc.SecurityGroupIngressRule {
        return new aws.vpc.SecurityGroupIngressRule(
            `${this.componentName}-proxy-sg-from-${id}`,
            {
                securityGroupId: this.proxySecurityGroupId,
                referencedSecurityGroupId: securityGroupId,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                description: `${id} on ${POSTGRES_PORT}`,
            },
            { parent: this },
        );
    }
}
