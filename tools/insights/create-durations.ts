/**
 * How long AWS takes to create one resource, per type, as `pulumi up` waits for it (the provider
 * returns once the resource is usable: a database `available`, a distribution `Deployed`, an
 * Auto Scaling group at its desired capacity). Each figure names its source and how firm it is;
 * all were read on 2026-12-05. The Terraform AWS provider is the same code the Pulumi AWS provider
 * bridges, so its waiters, default timeouts and acceptance-test timings describe Pulumi's create.
 *
 * Acceptance-test timings (`TestAcc...`) cover create *and* destroy, so they are upper bounds.
 * See docs/create-time.md for the table in prose.
 */
import { modelVpc } from "../awsx-model";

/** How a figure is known: stated by AWS or a tool's docs, measured in a published run, or one person's report. */
export type Basis = "documented" | "measured" | "anecdotal" | "estimate";

export interface DurationEntry {
    minutes: number;
    basis: Basis;
    /** Where the figure comes from: a URL and what it says. */
    source: string;
    /** The day the source was read. */
    read: string;
}

const READ = "2026-12-05";
const entry = (minutes: number, basis: Basis, source: string): DurationEntry => ({ minutes, basis, source, read: READ });

/** Quick API calls: the resource exists when the call returns (or after a few seconds of polling). */
export const QUICK = entry(
    0.1,
    "measured",
    "Terraform apply logs: security groups, rules, subnets, IAM roles and policies, subnet groups 'Creation complete after 1s'-'8s' " +
        "(https://github.com/hashicorp-education/learn-terraform-variables/pull/6, https://github.com/turbot/steampipe-plugin-aws/pull/246)",
);

/** Every type whose create is a quick API call, named one by one so a new type is a conscious choice (tests/tools/create-time.test.ts). */
export const QUICK_TYPES: readonly string[] = [
    "aws:apigatewayv2/api:Api",
    "aws:apigatewayv2/authorizer:Authorizer",
    "aws:apigatewayv2/integration:Integration",
    "aws:apigatewayv2/route:Route",
    "aws:apigatewayv2/stage:Stage",
    "aws:autoscaling/attachment:Attachment",
    "aws:autoscaling/policy:Policy",
    "aws:ebs/encryptionByDefault:EncryptionByDefault",
    "aws:elasticbeanstalk/application:Application",
    "aws:elasticbeanstalk/applicationVersion:ApplicationVersion",
    "aws:cloudfront/cachePolicy:CachePolicy",
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:cloudwatch/eventArchive:EventArchive",
    "aws:cloudwatch/eventBus:EventBus",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/logDelivery:LogDelivery",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/logStream:LogStream",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:codebuild/project:Project",
    "aws:codepipeline/pipeline:Pipeline",
    "aws:codestarconnections/connection:Connection",
    "aws:cognito/userPool:UserPool",
    "aws:cognito/userPoolClient:UserPoolClient",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:emr/managedScalingPolicy:ManagedScalingPolicy",
    "aws:emr/securityConfiguration:SecurityConfiguration",
    "aws:glue/catalogDatabase:CatalogDatabase",
    "aws:glue/catalogTable:CatalogTable",
    "aws:glue/crawler:Crawler",
    "aws:glue/job:Job",
    "aws:glue/securityConfiguration:SecurityConfiguration",
    "aws:glue/trigger:Trigger",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/policy:Policy",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:kms/alias:Alias",
    "aws:kms/key:Key",
    "aws:lambda/eventSourceMapping:EventSourceMapping",
    "aws:lambda/permission:Permission",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
    "aws:rds/proxyTarget:ProxyTarget",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:scheduler/schedule:Schedule",
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:sfn/stateMachine:StateMachine",
    "aws:sns/topic:Topic",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:sqs/queue:Queue",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    "aws:ssm/parameter:Parameter",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:wafv2/webAcl:WebAcl",
    "random:index/randomPassword:RandomPassword",
    "aws:ecs/cluster:Cluster",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:appautoscaling/target:Target",
    "aws:appautoscaling/policy:Policy",
];

/** The slow creates, with their sources. Keys are type tokens; `#variant` keys are chosen from the inputs (see durationOf). */
export const DURATIONS: Readonly<Record<string, DurationEntry>> = {
    "aws:ecs/service:Service": entry(
        1,
        "estimate",
        "terraform-provider-aws internal/service/ecs/wait.go: Create waits only for the service to be ACTIVE (waitServiceActive); it waits for a " +
            "steady state (waitServiceStable: every task running and healthy, minutes with a load balancer's health checks) only with " +
            "wait_for_steady_state, which the platform leaves off. 1 min is an estimate for ACTIVE, which no published run times",
    ),
    "aws:servicediscovery/httpNamespace:HttpNamespace": entry(
        1,
        "estimate",
        "Cloud Map's CreateHttpNamespace is asynchronous: the provider polls the operation until SUCCESS (terraform-provider-aws internal/service/servicediscovery, " +
            "waitOperationSucceeded); no published timing found, and an HTTP namespace creates no hosted zone",
    ),
    "aws:rds/instance:Instance": entry(
        10,
        "anecdotal",
        "RDS event log in https://github.com/hashicorp/terraform/issues/498: a single-AZ instance takes 'up to 5/10 minutes' to be created and backed up; " +
            "the provider's default create timeout is 40 min (raised in that issue)",
    ),
    "aws:rds/instance:Instance#multiAz": entry(
        20,
        "anecdotal",
        "https://github.com/hashicorp/terraform/issues/498: 'up to 15/20 minutes ... with multi_az on' (create, convert to Multi-AZ, back up); " +
            "AWS Administration Cookbook (https://trantor.is/content/yW7C3jPwBrEFjm-T/c388e310-8f84-4769-894b-71d8b9a9eddf.xhtml): 'roughly 20 minutes or more' for a Multi-AZ RDS stack",
    ),
    "aws:rds/proxy:Proxy": entry(
        5,
        "estimate",
        "A Terraform log shows aws_db_proxy 'Still creating... [2m30s elapsed]' and beyond (https://github.com/turbot/steampipe-plugin-aws/pull/1414); " +
            "the provider waits for the proxy to be available with a 30 min default timeout (https://github.com/hashicorp/terraform-provider-aws/pull/12704). 5 min is an estimate above the logged 2.5",
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": entry(
        7,
        "measured",
        "TestAccAWSElasticacheCluster_basic, one node, create and destroy: 395 s (https://github.com/hashicorp/terraform/pull/8275)",
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup#multiAz": entry(
        15,
        "measured",
        "TestAccAWSElasticacheReplicationGroup_multiAzInVpc, create and destroy: 1653 s (https://github.com/hashicorp/terraform-provider-aws/pull/17296); " +
            "a run that hit the 40 min create timeout raised it to 50 min (https://github.com/hashicorp/terraform-provider-aws/pull/2048)",
    ),
    "aws:emr/cluster:Cluster": entry(
        8,
        "measured",
        "TestAccAWSEmrCluster_basic, create (to WAITING) and destroy: 496 s (https://github.com/hashicorp/terraform/pull/9106)",
    ),
    "aws:emr/instanceFleet:InstanceFleet": entry(
        5,
        "estimate",
        "An added fleet launches EC2 instances into a running cluster; no published timing found. Taken as an EMR node's share of " +
            "TestAccAWSEmrInstanceGroup_basic (731 s with its cluster, https://github.com/hashicorp/terraform/pull/9106)",
    ),
    "aws:emrserverless/application:Application": entry(
        1,
        "estimate",
        "The provider waits for the application to be CREATED; no published timing found (an API-side state change, no instances start until a job runs)",
    ),
    "aws:cloudfront/distribution:Distribution": entry(
        5,
        "documented",
        "AWS, 'Slashing CloudFront change propagation times in 2020': 'reliably pushing these changes within 5 minutes' " +
            "(https://aws.amazon.com/blogs/networking-and-content-delivery/slashing-cloudfront-change-propagation-times-in-2020-recent-changes-and-looking-forward/); " +
            "the provider waits for Deployed unless waitForDeployment is false",
    ),
    "aws:dynamodb/table:Table": entry(
        0.5,
        "measured",
        "TestAccDynamoDBTable_tags, create and destroy: 41.76 s (https://github.com/hashicorp/terraform-provider-aws/pull/26250)",
    ),
    "aws:dynamodb/table:Table#replica": entry(
        6,
        "measured",
        "Per replica, added one after another: TestAccDynamoDBTable_Replica_single, create and destroy: 376.33 s " +
            "(https://github.com/hashicorp/terraform-provider-aws/pull/26250); the provider adds each replica and waits for it to be ACTIVE",
    ),
    "aws:lb/loadBalancer:LoadBalancer": entry(
        3,
        "anecdotal",
        "The provider waits for the load balancer to leave 'provisioning' for 'active' (https://github.com/hashicorp/terraform/issues/10386), 10 min default timeout " +
            "(https://github.com/hashicorp/terraform-provider-aws/issues/8054); ~3 min is the commonly reported time, no AWS figure found",
    ),
    "aws:autoscaling/group:Group": entry(
        3,
        "estimate",
        "Pulumi waits for minSize (or desiredCapacity) healthy instances in the group before continuing, up to waitForCapacityTimeout (default 10m) " +
            "(https://www.pulumi.com/registry/packages/aws/api-docs/autoscaling/group/, 'Waiting for Capacity'). Without minElbCapacity/waitForElbCapacity it " +
            "does not wait for load balancer health, so the time is an instance's launch to InService; 3 min is an estimate",
    ),
    "aws:autoscaling/group:Group#elbCapacity": entry(
        3,
        "estimate",
        "With minElbCapacity or waitForElbCapacity Pulumi also waits for the instances to pass the target group's health checks: launch (3 min, an estimate) plus " +
            "healthCheckGracePeriod, added from the inputs",
    ),
    "aws:autoscaling/group:Group#noWait": entry(
        0.1,
        "documented",
        "waitForCapacityTimeout '0' skips the capacity wait (https://www.pulumi.com/registry/packages/aws/api-docs/autoscaling/group/, 'Waiting for Capacity')",
    ),
    "aws:elasticbeanstalk/environment:Environment": entry(
        8,
        "estimate",
        "The provider waits for the environment to turn Ready, up to wait_for_ready_timeout (default 20m; terraform-provider-aws " +
            "internal/service/elasticbeanstalk/environment.go@03274b5bab63566c638bbd79baefa6ff35fb30c1): its CloudFormation stack, instances and their " +
            "health checks on the shared ALB. No AWS timing found; 8 min is an estimate",
    ),
    "aws:lambda/function:Function": entry(
        0.3,
        "measured",
        "TestAccAWSLambdaFunction_basic, create and destroy: 23.37 s (https://github.com/hashicorp/terraform-provider-aws/commit/922037e7c91f7a9681091cece377b3fc4580de69)",
    ),
    "aws:lambda/function:Function#vpc": entry(
        1.5,
        "anecdotal",
        "A VPC function stays Pending until Lambda has created its Hyperplane ENI, and the provider waits for Active; reported as '90-120s' " +
            "(https://agentbeck.bot/report/3821, unverified)",
    ),
    "aws:kinesis/stream:Stream": entry(1, "estimate", "The provider waits for the stream to be ACTIVE; no published timing found"),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": entry(
        1.5,
        "estimate",
        "The provider waits for the delivery stream to be ACTIVE; no published timing found",
    ),
    "awsx:ec2:Vpc": entry(
        0.5,
        "measured",
        "The VPC itself, its subnets, route tables, internet gateway and gateway endpoints: Terraform logs show aws_vpc 'Creation complete after 20s'-'39s' " +
            "(https://github.com/turbot/steampipe-plugin-aws/pull/246); NAT gateways are added from the inputs (see #natGateway)",
    ),
    "awsx:ec2:Vpc#natGateway": entry(
        5,
        "anecdotal",
        "kops waits for each NAT gateway: 'It takes forever (up to 5 min...) for a NatGateway to become available' " +
            "(https://github.com/kubernetes/kops/pull/944); the NAT gateways of one VPC are created in parallel, each after its Elastic IP and public subnet",
    ),
};

/** The minimal view of a resource this table reads. */
export interface TimedResource {
    type: string;
    custom: boolean;
    remote?: boolean;
    inputs: Record<string, unknown>;
}

export interface Duration {
    minutes: number;
    /** The table key the figure came from ("quick", "none" or a DURATIONS key). */
    key: string;
}

/** How long creating `r` takes, in minutes, from the table (and for some types, from its inputs). */
export function durationOf(r: TimedResource): Duration {
    const t = r.type;
    if (t.startsWith("pulumi:providers:") || (!r.custom && !r.remote)) return { minutes: 0, key: "none" };
    const i = r.inputs as Record<string, unknown>;
    const from = (key: string, extra = 0): Duration => ({ minutes: DURATIONS[key].minutes + extra, key });
    switch (t) {
        case "aws:rds/instance:Instance":
            return from(i.multiAz === true ? `${t}#multiAz` : t);
        case "aws:elasticache/replicationGroup:ReplicationGroup":
            return from(i.multiAzEnabled === true || Number(i.numCacheClusters ?? 1) > 1 || Number(i.replicasPerNodeGroup ?? 0) > 0 ? `${t}#multiAz` : t);
        case "aws:dynamodb/table:Table": {
            const replicas = Array.isArray(i.replicas) ? i.replicas.length : 0;
            return from(t, replicas * DURATIONS[`${t}#replica`].minutes);
        }
        case "aws:autoscaling/group:Group": {
            if (String(i.waitForCapacityTimeout ?? "") === "0") return from(`${t}#noWait`);
            if (i.minElbCapacity !== undefined || i.waitForElbCapacity !== undefined)
                return from(`${t}#elbCapacity`, Number(i.healthCheckGracePeriod ?? 300) / 60);
            return from(t);
        }
        case "aws:lambda/function:Function": {
            const subnets = (i.vpcConfig as { subnetIds?: unknown } | undefined)?.subnetIds;
            return from(Array.isArray(subnets) && subnets.length > 0 ? `${t}#vpc` : t);
        }
        case "awsx:ec2:Vpc": {
            const model = modelVpc(i, String(i.region ?? "").trim() || "us-east-1", (kind, key) => `${kind}-${key}`);
            return from(t, model.natGateways.length > 0 ? DURATIONS[`${t}#natGateway`].minutes : 0);
        }
    }
    if (DURATIONS[t]) return from(t);
    return { minutes: QUICK.minutes, key: "quick" };
}

/** Whether the table decides `type` explicitly (a DURATIONS entry or a named quick type), rather than by falling back to the quick default. */
export function isCovered(type: string): boolean {
    return type.startsWith("pulumi:providers:") || DURATIONS[type] !== undefined || QUICK_TYPES.includes(type);
}
