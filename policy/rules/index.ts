/**
 * The pack's rules, one module per rule-name prefix. Where a new rule goes:
 * - The first segment of its name is the service (AWS, or `random` for @pulumi/random), and the
 *   module has that name: `sqs-queue-encrypted` is in sqs.ts, `lb-serves-https` in lb.ts.
 * - A name that starts with a resource rather than a service goes to that resource's service:
 *   `security-group-*` -> security-group.ts, `secret-*` -> secretsmanager.ts,
 *   `log-stream-*` -> cloudwatch.ts, `log-bucket-*` -> s3.ts.
 * - Rules whose names are not a service's because they span services:
 *   where resources are placed (`compute-*`, `datastore-*`) -> subnet-placement.ts;
 *   rules over every resource type or every stateful one (`required-tags`, `stateful-*`,
 *   `events-stateful-*`, `replaced-*`) -> stack-wide.ts.
 * A helper one module needs stays in it; one that several modules need goes to ../shared.ts.
 * Rule names never change when a rule moves: users' pack configs name them.
 */
import { environmentConfigSchema, type PlatformPolicy } from "../types";
import { apigatewayPolicies } from "./apigateway";
import { autoscalingPolicies } from "./autoscaling";
import { cloudfrontPolicies } from "./cloudfront";
import { cloudwatchPolicies } from "./cloudwatch";
import { codebuildPolicies } from "./codebuild";
import { codepipelinePolicies } from "./codepipeline";
import { cognitoPolicies } from "./cognito";
import { dynamodbPolicies } from "./dynamodb";
import { ec2Policies } from "./ec2";
import { ecrPolicies } from "./ecr";
import { ecsPolicies } from "./ecs";
import { elasticachePolicies } from "./elasticache";
import { elasticbeanstalkPolicies } from "./elasticbeanstalk";
import { emrPolicies } from "./emr";
import { eventbridgePolicies } from "./eventbridge";
import { firehosePolicies } from "./firehose";
import { gluePolicies } from "./glue";
import { iamPolicies } from "./iam";
import { kinesisPolicies } from "./kinesis";
import { kmsPolicies } from "./kms";
import { lambdaPolicies } from "./lambda";
import { lbPolicies } from "./lb";
import { randomPolicies } from "./random";
import { rdsPolicies } from "./rds";
import { s3Policies } from "./s3";
import { secretsmanagerPolicies } from "./secretsmanager";
import { securityGroupPolicies } from "./security-group";
import { sfnPolicies } from "./sfn";
import { snsPolicies } from "./sns";
import { sqsPolicies } from "./sqs";
import { ssmPolicies } from "./ssm";
import { stackWidePolicies } from "./stack-wide";
import { subnetPlacementPolicies } from "./subnet-placement";
import { vpcPolicies } from "./vpc";
import { wafPolicies } from "./waf";

/** The rules by module (rule-name prefix), in alphabetical order of module. */
export const POLICY_AREAS: Record<string, PlatformPolicy[]> = {
    apigateway: apigatewayPolicies,
    autoscaling: autoscalingPolicies,
    cloudfront: cloudfrontPolicies,
    cloudwatch: cloudwatchPolicies,
    codebuild: codebuildPolicies,
    codepipeline: codepipelinePolicies,
    cognito: cognitoPolicies,
    dynamodb: dynamodbPolicies,
    ec2: ec2Policies,
    ecr: ecrPolicies,
    ecs: ecsPolicies,
    elasticache: elasticachePolicies,
    elasticbeanstalk: elasticbeanstalkPolicies,
    emr: emrPolicies,
    eventbridge: eventbridgePolicies,
    firehose: firehosePolicies,
    glue: gluePolicies,
    iam: iamPolicies,
    kinesis: kinesisPolicies,
    kms: kmsPolicies,
    lambda: lambdaPolicies,
    lb: lbPolicies,
    random: randomPolicies,
    rds: rdsPolicies,
    s3: s3Policies,
    secretsmanager: secretsmanagerPolicies,
    "security-group": securityGroupPolicies,
    sfn: sfnPolicies,
    sns: snsPolicies,
    sqs: sqsPolicies,
    ssm: ssmPolicies,
    "stack-wide": stackWidePolicies,
    "subnet-placement": subnetPlacementPolicies,
    vpc: vpcPolicies,
    waf: wafPolicies,
};

/**
 * Every rule of the pack, importable without starting the pack's gRPC server. Sorted by name, so
 * the order rules run in (and violations and coverage lists are printed in) doesn't depend on
 * which module holds a rule.
 */
export const ALL_POLICIES: PlatformPolicy[] = Object.values(POLICY_AREAS)
    .flat()
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => ({ ...p, configSchema: p.configSchema ?? environmentConfigSchema }));
