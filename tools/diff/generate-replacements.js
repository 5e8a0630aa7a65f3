#!/usr/bin/env node
// Builds tools/diff/replacements.json: for each resource type in the dev, prod (with each web runtime) and delivery plans,
// the Pulumi input paths whose change replaces the resource. The source of truth is the Terraform
// AWS provider that @pulumi/aws is bridged from: an SDKv2 attribute with `ForceNew: true`, or a
// Plugin Framework attribute/block with a `RequiresReplace*` plan modifier, replaces the resource
// (the bridge turns both into a replace in Pulumi's diff). TF attribute names are mapped onto
// @pulumi/aws's own input names by reading its .d.ts Args interfaces, so renames and the
// pluralised list blocks come out exactly as a Pulumi diff names them.
//
// Usage:
//   node tools/diff/generate-replacements.js <terraform-provider-aws checkout>
//        [--random <terraform-provider-random checkout>] [--version <label>] [--random-version <label>] [--out <file>]
// The plan types are read from `node tools/run.js plan` of the three stacks. Types that are not
// Terraform resources (provider, awsx component, our own components) come from MANUAL below.
"use strict";

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const PULUMI_AWS = path.join(ROOT, "node_modules", "@pulumi", "aws");
const PULUMI_RANDOM = path.join(ROOT, "node_modules", "@pulumi", "random");

// Pulumi type token -> Terraform resource type (pulumi-aws provider/resources.go mapping).
const TF_TYPES = {
    "aws:apigatewayv2/api:Api": "aws_apigatewayv2_api",
    "aws:apigatewayv2/authorizer:Authorizer": "aws_apigatewayv2_authorizer",
    "aws:apigatewayv2/integration:Integration": "aws_apigatewayv2_integration",
    "aws:apigatewayv2/route:Route": "aws_apigatewayv2_route",
    "aws:apigatewayv2/stage:Stage": "aws_apigatewayv2_stage",
    "aws:autoscaling/attachment:Attachment": "aws_autoscaling_attachment",
    "aws:autoscaling/group:Group": "aws_autoscaling_group",
    "aws:autoscaling/policy:Policy": "aws_autoscaling_policy",
    "aws:cloudfront/cachePolicy:CachePolicy": "aws_cloudfront_cache_policy",
    "aws:cloudfront/distribution:Distribution": "aws_cloudfront_distribution",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "aws_cloudfront_origin_access_control",
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": "aws_cloudfront_origin_request_policy",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "aws_cloudfront_response_headers_policy",
    "aws:cloudwatch/eventArchive:EventArchive": "aws_cloudwatch_event_archive",
    "aws:cloudwatch/eventBus:EventBus": "aws_cloudwatch_event_bus",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:cloudwatch/logDelivery:LogDelivery": "aws_cloudwatch_log_delivery",
    "aws:ebs/encryptionByDefault:EncryptionByDefault": "aws_ebs_encryption_by_default",
    "aws:elasticbeanstalk/application:Application": "aws_elastic_beanstalk_application",
    "aws:elasticbeanstalk/applicationVersion:ApplicationVersion": "aws_elastic_beanstalk_application_version",
    "aws:elasticbeanstalk/environment:Environment": "aws_elastic_beanstalk_environment",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "aws_cloudwatch_log_delivery_destination",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "aws_cloudwatch_log_delivery_source",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/logStream:LogStream": "aws_cloudwatch_log_stream",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:codebuild/project:Project": "aws_codebuild_project",
    "aws:codepipeline/pipeline:Pipeline": "aws_codepipeline",
    "aws:codestarconnections/connection:Connection": "aws_codestarconnections_connection",
    "aws:cognito/userPool:UserPool": "aws_cognito_user_pool",
    "aws:cognito/userPoolClient:UserPoolClient": "aws_cognito_user_pool_client",
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:emr/cluster:Cluster": "aws_emr_cluster",
    "aws:emr/instanceFleet:InstanceFleet": "aws_emr_instance_fleet",
    "aws:emr/managedScalingPolicy:ManagedScalingPolicy": "aws_emr_managed_scaling_policy",
    "aws:emr/securityConfiguration:SecurityConfiguration": "aws_emr_security_configuration",
    "aws:emrserverless/application:Application": "aws_emrserverless_application",
    "aws:glue/catalogDatabase:CatalogDatabase": "aws_glue_catalog_database",
    "aws:glue/catalogTable:CatalogTable": "aws_glue_catalog_table",
    "aws:glue/crawler:Crawler": "aws_glue_crawler",
    "aws:glue/job:Job": "aws_glue_job",
    "aws:glue/securityConfiguration:SecurityConfiguration": "aws_glue_security_configuration",
    "aws:glue/trigger:Trigger": "aws_glue_trigger",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": "aws_kinesis_firehose_delivery_stream",
    "aws:kinesis/stream:Stream": "aws_kinesis_stream",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "aws_lambda_event_source_mapping",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "aws:lb/listener:Listener": "aws_lb_listener",
    "aws:lb/listenerRule:ListenerRule": "aws_lb_listener_rule",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:lb/targetGroup:TargetGroup": "aws_lb_target_group",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "aws_lb_target_group_attachment",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/proxy:Proxy": "aws_db_proxy",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "aws_db_proxy_default_target_group",
    "aws:rds/proxyTarget:ProxyTarget": "aws_db_proxy_target",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": "aws_s3_bucket_server_side_encryption_configuration",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:scheduler/schedule:Schedule": "aws_scheduler_schedule",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:sfn/stateMachine:StateMachine": "aws_sfn_state_machine",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    "aws:ssm/parameter:Parameter": "aws_ssm_parameter",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "random:index/randomPassword:RandomPassword": "random_password",
};

// Top-level renames pulumi-aws makes (provider/resources.go Fields overrides); each was confirmed
// against the Args interface in node_modules/@pulumi/aws.
const RENAMES = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": { alarm_name: "name" },
    "aws:lambda/function:Function": { function_name: "name", filename: "code" },
    "aws:lambda/permission:Permission": { function_name: "function" },
    "aws:sns/topicSubscription:TopicSubscription": { topic_arn: "topic" },
};

// Terraform AWS provider v6 adds a top-level `region` to every Region-aware resource, injected by
// the provider rather than declared in each resource's schema. Its "Enhanced Region Support" guide
// (website/docs/guides/enhanced-region-support.html.markdown): "Changing the value of `region`
// will force resource replacement." Added for every type whose Pulumi Args has `region`.
const REGION_NOTE = "region: TF AWS v6 injected attribute; changing it forces replacement (enhanced-region-support guide)";

// Types that are not Terraform resources, or that the generator cannot read. Each says why.
const MANUAL = {
    "pulumi:providers:aws": {
        replaces: ["region"],
        note: "Provider resource: a changed region replaces every resource that uses this provider (Pulumi engine behaviour for the AWS provider).",
    },
    "pulumi:pulumi:Stack": { replaces: [], note: "The stack root: no inputs." },
    "awsx:ec2:Vpc": {
        replaces: [
            "availabilityZoneCidrMask",
            "availabilityZoneNames",
            "cidrBlock",
            "ipv4IpamPoolId",
            "ipv4NetmaskLength",
            "numberOfAvailabilityZones",
            "region",
            "subnetSpecs",
            "subnetStrategy",
        ],
        note:
            "Remote component (pulumi/pulumi-awsx awsx/ec2/vpc.ts@e60adf3cf01f3ac03cc6bc846cdd0df320afed23): its args go to the child " +
            "aws.ec2.Vpc, where cidr_block, ipv4_ipam_pool_id, ipv4_netmask_length and region are ForceNew (instance_tenancy is not). " +
            "The availability zones, availabilityZoneCidrMask, subnetSpecs and subnetStrategy decide each child aws.ec2.Subnet's " +
            "availability_zone and cidr_block, both ForceNew, so changing them replaces subnets (and the route table associations and " +
            "NAT gateways in them). natGateways.strategy adds or removes NAT gateways and EIPs without replacing the VPC; " +
            "natGateways.elasticIpAllocationIds replaces NAT gateways (allocation_id is ForceNew).",
        source: "pulumi/pulumi-awsx:awsx/ec2/vpc.ts@e60adf3cf01f3ac03cc6bc846cdd0df320afed23",
    },
};
// Terraform resources newer than the checkout the generator last read: read by hand from the
// provider source (file and commit given), with the same rules (RequiresReplace plan modifiers;
// `region` as above). The generator uses a checkout's own reading whenever the checkout has them.
const HAND_READ = {
    "aws:cloudwatch/logDelivery:LogDelivery": {
        entry: { replaces: ["deliveryDestinationArn", "deliverySourceName", "region"] },
        source: "internal/service/logs/delivery.go@009ebbba773eb7f1e3b286e30033836f4d115bd9",
        reason: "framework resource added after the checkout (TF v5.58); delivery_destination_arn and delivery_source_name use stringplanmodifier.RequiresReplace()",
    },
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": {
        entry: {
            replaces: ["name", "outputFormat", "region"],
            conditional: ["deliveryDestinationConfiguration.destinationResourceArn"],
            unverified: ["deliveryDestinationType"],
        },
        source: "internal/service/logs/delivery_destination.go@1e67cc5d48a621fe85585ada9c1cfb26802a4da7",
        reason: "framework resource added after the checkout; name and output_format RequiresReplace(); destination_resource_arn RequiresReplaceIf the ARN's service changes; delivery_destination_type is computed-only in that file but an input in @pulumi/aws",
    },
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": {
        entry: { replaces: ["logType", "name", "region", "resourceArn"] },
        source: "internal/service/logs/delivery_source.go@00a35305dc1b297a6fcdecdfbba33f1e63c3da39",
        reason: "framework resource added after the checkout; log_type, name and resource_arn use stringplanmodifier.RequiresReplace()",
    },
};

// The types only `platform:web.runtime: beanstalk` plans, read by hand from stored provider
// versions (file and commit given) while no checkout was at hand; a checkout's own reading wins.
Object.assign(HAND_READ, {
    "aws:autoscaling/attachment:Attachment": {
        entry: { replaces: ["autoscalingGroupName", "elb", "lbTargetGroupArn", "region"] },
        source: "internal/service/autoscaling/attachment.go@01f431114674c27cf790fafb67ac274bf8f765e1",
        reason: "read by hand (beanstalk runtime plan): autoscaling_group_name, elb and lb_target_group_arn are ForceNew; the resource has no Update",
    },
    "aws:ebs/encryptionByDefault:EncryptionByDefault": {
        entry: { replaces: ["region"] },
        source: "internal/service/ec2/ebs_encryption_by_default.go@30e63fca389c467648d3db06357816ecfa287963",
        reason: "read by hand (beanstalk runtime plan): enabled is updated in place (Enable/DisableEbsEncryptionByDefault); nothing is ForceNew",
    },
    "aws:elasticbeanstalk/application:Application": {
        entry: { replaces: ["name", "region"] },
        source: "internal/service/elasticbeanstalk/application.go@04c79849dbe7fbe76c3054b364357bcdaade9ac5",
        reason: "read by hand (beanstalk runtime plan): name is ForceNew; description and appversion_lifecycle update in place",
    },
    "aws:elasticbeanstalk/applicationVersion:ApplicationVersion": {
        entry: { replaces: ["application", "bucket", "key", "name", "region"] },
        source: "internal/service/elasticbeanstalk/application_version.go@108f85fd2bfcd9e85ed93fddb752c5cc10dba1ff",
        reason: "read by hand (beanstalk runtime plan): application, bucket, key and name are ForceNew; description updates in place",
    },
    "aws:elasticbeanstalk/environment:Environment": {
        entry: { replaces: ["cnamePrefix", "name", "region", "tier"] },
        source: "internal/service/elasticbeanstalk/environment.go@03274b5bab63566c638bbd79baefa6ff35fb30c1",
        reason: "read by hand (beanstalk runtime plan): name, cname_prefix and tier are ForceNew; settings, solution_stack_name, version_label and the rest go through UpdateEnvironment",
    },
});

// Replacements decided outside the schema (ModifyPlan code), read by hand; merged as conditional.
const EXTRA_CONDITIONAL = {
    // vpc_security_group_ingress_rule.go ModifyPlan: "When you modify a rule, you cannot change the
    // rule's source type" -> RequiresReplace on the old and new source attributes.
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"],
};

// Our own components (ComponentResource): their inputs are plain program values, never diffed.
const COMPONENT_PREFIX = "platform:";

// ---------------------------------------------------------------------------------------------
// Go source scanning: just enough of Go's lexical structure (strings, runes, comments, brackets)
// to cut composite literals into their entries.

function skipNonCode(src, i) {
    // Returns the index after a string/rune/comment starting at i, or i when there is none.
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") {
        const e = src.indexOf("\n", i);
        return e < 0 ? src.length : e;
    }
    if (c === "/" && src[i + 1] === "*") {
        const e = src.indexOf("*/", i + 2);
        return e < 0 ? src.length : e + 2;
    }
    if (c === "`") {
        const e = src.indexOf("`", i + 1);
        return e < 0 ? src.length : e + 1;
    }
    if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < src.length && src[j] !== c) j += src[j] === "\\" ? 2 : 1;
        return j + 1;
    }
    return i;
}

// Index of the bracket closing the one at `open`.
function matchBracket(src, open) {
    const pairs = { "{": "}", "(": ")", "[": "]" };
    const stack = [pairs[src[open]]];
    let i = open + 1;
    while (i < src.length) {
        const n = skipNonCode(src, i);
        if (n !== i) {
            i = n;
            continue;
        }
        const c = src[i];
        if (pairs[c]) stack.push(pairs[c]);
        else if (c === "}" || c === ")" || c === "]") {
            if (stack.pop() !== c) throw new Error(`unbalanced ${c} at ${i}`);
            if (stack.length === 0) return i;
        }
        i++;
    }
    throw new Error(`no closing bracket for ${open}`);
}

// Splits the body of a composite literal (between `{` at `open` and its match) into top-level
// comma-separated elements, each { key, value } when it has a top-level `key: value` form.
function elements(src, open) {
    const close = matchBracket(src, open);
    const out = [];
    let start = open + 1;
    let i = start;
    const push = (end) => {
        const text = src.slice(start, end);
        if (text.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "").trim()) {
            const colon = topLevelColon(text);
            if (colon >= 0) {
                out.push({
                    key: stripComments(text.slice(0, colon)).trim(),
                    value: text.slice(colon + 1).trim(),
                    valueAt: start + colon + 1 + (text.slice(colon + 1).length - text.slice(colon + 1).trimStart().length),
                });
            } else out.push({ key: null, value: stripComments(text).trim(), valueAt: start });
        }
    };
    while (i < close) {
        const n = skipNonCode(src, i);
        if (n !== i) {
            i = n;
            continue;
        }
        const c = src[i];
        if (c === "{" || c === "(" || c === "[") {
            i = matchBracket(src, i) + 1;
            continue;
        }
        if (c === ",") {
            push(i);
            start = i + 1;
        }
        i++;
    }
    push(close);
    return out;
}

function stripComments(s) {
    return s.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "");
}

function topLevelColon(text) {
    let i = 0;
    while (i < text.length) {
        const n = skipNonCode(text, i);
        if (n !== i) {
            i = n;
            continue;
        }
        const c = text[i];
        if (c === "{" || c === "(" || c === "[") {
            try {
                i = matchBracket(text, i) + 1;
            } catch {
                return -1;
            }
            continue;
        }
        if (c === ":" && text[i + 1] !== "=") return i;
        i++;
    }
    return -1;
}

// ---------------------------------------------------------------------------------------------
// A Go package: its files, consts and funcs, looked up by name.

class GoPackage {
    constructor(dir) {
        this.dir = dir;
        this.files = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
            .map((f) => ({ name: f, src: fs.readFileSync(path.join(dir, f), "utf8") }));
    }
    // Body text (from its opening brace) of `func name(` or method `func (r *T) name(`.
    func(name, receiver) {
        const re = receiver ? new RegExp(`func \\((?:\\w+ )?\\*?${receiver}\\) ${name}\\(`) : new RegExp(`func ${name}\\(`);
        for (const f of this.files) {
            const m = re.exec(f.src);
            if (!m) continue;
            // Skip the parameter list and result types to the body's brace.
            let i = matchBracket(f.src, m.index + m[0].length - 1) + 1;
            while (f.src[i] !== "{") {
                if (f.src[i] === "(" || f.src[i] === "[") {
                    i = matchBracket(f.src, i) + 1;
                    continue;
                }
                i++;
            }
            return { file: f, open: i };
        }
        return null;
    }
    // A package-level `name = value` (const or var): the value's text and position.
    value(name) {
        const re = new RegExp(`(?:^|\\n)\\s*(?:const |var )?${name}\\s*(?:[\\w.*\\[\\]]+\\s*)?=\\s*`);
        for (const f of this.files) {
            const m = re.exec(f.src);
            if (m) return { file: f, at: m.index + m[0].length };
        }
        return null;
    }
}

class Provider {
    constructor(root) {
        this.root = root;
        this.packages = new Map();
        this.names = this.loadNames();
    }
    pkg(dir) {
        if (!this.packages.has(dir)) this.packages.set(dir, new GoPackage(dir));
        return this.packages.get(dir);
    }
    loadNames() {
        const consts = {};
        const dir = path.join(this.root, "names");
        if (!fs.existsSync(dir)) return consts;
        for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".go"))) {
            const src = fs.readFileSync(path.join(dir, f), "utf8");
            for (const m of src.matchAll(/^\s*(\w+)\s*=\s*"([^"]*)"/gm)) consts[m[1]] = m[2];
        }
        return consts;
    }
    // Finds the Go source defining TF resource `tfType`: SDKv2 `@SDKResource("tf_type"` annotations,
    // or a Plugin Framework `TypeName = "tf_type"` / `ProviderTypeName + "_suffix"` in Metadata.
    locate(tfType) {
        if (!this.index) this.index = this.buildIndex();
        return this.index.get(tfType) || null;
    }
    buildIndex() {
        const index = new Map();
        const svcRoots = [path.join(this.root, "internal", "service"), path.join(this.root, "internal")];
        const dirs = [];
        const walk = (d, depth) => {
            if (!fs.existsSync(d)) return;
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                if (e.isDirectory() && depth > 0 && !["test-fixtures", "testdata"].includes(e.name)) walk(path.join(d, e.name), depth - 1);
            }
            dirs.push(d);
        };
        walk(svcRoots[0], 1);
        if (!fs.existsSync(svcRoots[0])) walk(svcRoots[1], 1);
        for (const dir of new Set(dirs)) {
            const files = fs.readdirSync(dir).filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"));
            for (const f of files) {
                const src = fs.readFileSync(path.join(dir, f), "utf8");
                for (const m of src.matchAll(/@SDKResource\("(\w+)"(?=[^\n]*\n(?:\/\/[^\n]*\n)*func (\w+)\()/g)) {
                    index.set(m[1], { kind: "sdk", dir, file: f, func: m[2] });
                }
                for (const m of src.matchAll(/func \((?:\w+ )?\*(\w+)\) Metadata\([^)]*\bresource\.MetadataRequest[^)]*\)[^{]*\{([^}]*)\}/g)) {
                    const body = m[2];
                    const lit = /TypeName = "(\w+)"/.exec(body);
                    const suffix = /TypeName = req(?:uest)?\.ProviderTypeName \+ "(\w+)"/.exec(body);
                    const tf = lit ? lit[1] : suffix ? `random${suffix[1]}` : null;
                    if (tf && !index.has(tf)) index.set(tf, { kind: "framework", dir, file: f, receiver: m[1] });
                }
                // Newer framework resources: @FrameworkResource("tf_type", ...) before the constructor.
                for (const m of src.matchAll(/@FrameworkResource\("(\w+)"/g)) {
                    if (!index.has(m[1])) {
                        const recv = /func \(\w+ \*(\w+)\) Schema\(/.exec(src);
                        if (recv) index.set(m[1], { kind: "framework", dir, file: f, receiver: recv[1] });
                    }
                }
            }
        }
        return index;
    }
    // The package a file imports under `alias`, when it lives in this checkout.
    importedPackage(file, alias) {
        const imports = [...file.src.matchAll(/^\s*(\w+ )?"github\.com\/hashicorp\/terraform-provider-\w+\/([^"]+)"/gm)];
        for (const m of imports) {
            const name = m[1] ? m[1].trim() : m[2].split("/").pop();
            if (name !== alias) continue;
            const dir = path.join(this.root, m[2]);
            return fs.existsSync(dir) ? this.pkg(dir) : null;
        }
        return null;
    }
    attrName(keyExpr, pkg) {
        if (/^"[^"]*"$/.test(keyExpr)) return keyExpr.slice(1, -1);
        const m = /^names\.(\w+)$/.exec(keyExpr);
        if (m) return this.names[m[1]] || null;
        if (/^\w+$/.test(keyExpr)) {
            const v = pkg.value(keyExpr);
            if (v) {
                const s = /^"([^"]*)"/.exec(v.file.src.slice(v.at));
                if (s) return s[1];
            }
        }
        return null;
    }
}

// ---------------------------------------------------------------------------------------------
// SDKv2 schemas.

// Resolves an expression to the position of a composite literal's `{` in some file, following
// calls of functions that `return <literal>` (closures and locals of the resource's function
// first, then package functions, then other packages of the checkout via the file's imports) and
// package vars.
function resolveLiteral(prov, pkg, file, at, want, scope) {
    const src = file.src;
    const text = src.slice(at, at + 400);
    const lit = new RegExp(`^&?(?:${want})\\{`).exec(text);
    if (lit) return { file, open: at + lit[0].length - 1, scope };
    if (text[0] === "{") return { file, open: at, scope };
    const closure = /^func\(\)[^{]*\{/.exec(text);
    if (closure) return resolveReturn(prov, pkg, file, at + closure[0].length - 1, want, scope);
    const ext = /^(\w+)\.(\w+)\(\)/.exec(text);
    if (ext) {
        const other = prov.importedPackage(file, ext[1]);
        const fn = other && other.func(ext[2]);
        return fn ? resolveReturn(prov, other, fn.file, fn.open, want, null) : null;
    }
    const call = /^(\w+)\(/.exec(text);
    if (call && !/^\w+\(\)/.test(text)) {
        // A schema-building function taking arguments (e.g. wafv2's statement nesting levels).
        const fn = pkg.func(call[1]);
        return fn ? resolveReturn(prov, pkg, fn.file, fn.open, want, null) : null;
    }
    const ref = /^(\w+)(\(\))?\s*[,\n}]/.exec(text);
    if (!ref) return null;
    const name = ref[1];
    if (scope) {
        // A local `name := <expr>` inside the resource's own function.
        const body = scope.file.src.slice(scope.open, scope.close);
        const local = new RegExp(`\\b${name} := `).exec(body);
        if (local) {
            const pos = scope.open + local.index + local[0].length;
            const r = ref[2]
                ? /^func\(\)[^{]*\{/.test(scope.file.src.slice(pos, pos + 200))
                    ? resolveReturn(prov, pkg, scope.file, pos + /^func\(\)[^{]*\{/.exec(scope.file.src.slice(pos, pos + 200))[0].length - 1, want, scope)
                    : null
                : resolveLiteral(prov, pkg, scope.file, pos, want, scope);
            if (r) return r;
        }
    }
    const fn = pkg.func(name);
    if (fn) return resolveReturn(prov, pkg, fn.file, fn.open, want, null);
    const v = pkg.value(name);
    if (v) return resolveLiteral(prov, pkg, v.file, v.at, want, { file: v.file, open: 0, close: v.file.src.length });
    return null;
}

// Follows the last top-level `return` of the function body opening at `open`.
function resolveReturn(prov, pkg, file, open, want, scope) {
    const src = file.src;
    const close = matchBracket(src, open);
    let i = open + 1;
    let last = -1;
    while (i < close) {
        const n = skipNonCode(src, i);
        if (n !== i) {
            i = n;
            continue;
        }
        const c = src[i];
        if (c === "{" || c === "(" || c === "[") {
            i = matchBracket(src, i) + 1;
            continue;
        }
        if (src.startsWith("return ", i) && /\s/.test(src[i - 1])) last = i + "return ".length;
        i++;
    }
    if (last < 0) return null;
    return resolveLiteral(prov, pkg, file, last, want, scope || { file, open, close });
}

const SCHEMA_MAP = "map\\[string\\]\\*schema\\.Schema";

// Walks an SDKv2 schema map, calling visit(pathSegments, props) for every attribute.
function walkSdkSchema(prov, pkg, file, open, prefix, visit, problems, scope, seen = new Set()) {
    // Recursive schemas (a function building its own Elem) are walked once per path; a repeat is
    // harmless only when its source declares no ForceNew at all.
    const key = `${file.name}:${open}`;
    if (seen.has(key)) {
        const close = matchBracket(file.src, open);
        if (/ForceNew/.test(file.src.slice(open, close))) problems.push(`recursive schema with ForceNew at ${prefix.join(".")}`);
        return;
    }
    seen = new Set(seen).add(key);
    for (const el of elements(file.src, open)) {
        if (el.key === null) continue;
        const name = prov.attrName(el.key, pkg);
        if (!name) {
            problems.push(`unresolved key ${el.key}`);
            continue;
        }
        const attr = resolveLiteral(prov, pkg, file, el.valueAt, "schema\\.Schema", scope);
        if (!attr) {
            problems.push(`unresolved attribute ${[...prefix, name].join(".")}: ${el.value.slice(0, 60)}`);
            continue;
        }
        const props = {};
        for (const p of elements(attr.file.src, attr.open)) if (p.key) props[p.key] = p;
        const elem = props.Elem;
        const res =
            elem && !/^&?schema\.Schema\{/.test(elem.value) ? resolveLiteral(prov, pkg, attr.file, elem.valueAt, "schema\\.Resource", attr.scope) : null;
        visit([...prefix, name], props, !!res);
        if (elem) {
            if (res) {
                const rp = {};
                for (const p of elements(res.file.src, res.open)) if (p.key) rp[p.key] = p;
                const sm = rp.Schema || rp.SchemaFunc;
                if (sm) {
                    const m = resolveLiteral(prov, pkg, res.file, sm.valueAt, SCHEMA_MAP, res.scope);
                    if (m) walkSdkSchema(prov, pkg, m.file, m.open, [...prefix, name], visit, problems, m.scope, seen);
                    else problems.push(`unresolved nested schema of ${name}`);
                }
            }
        }
    }
}

function readSdkResource(prov, loc) {
    const pkg = prov.pkg(loc.dir);
    const fn = pkg.func(loc.func);
    const problems = [];
    const res = resolveReturn(prov, pkg, fn.file, fn.open, "schema\\.Resource", null);
    if (!res) return { problems: [`no schema.Resource returned by ${loc.func}`] };
    const props = {};
    for (const p of elements(res.file.src, res.open)) if (p.key) props[p.key] = p;
    const sm = props.Schema || props.SchemaFunc;
    const map = sm && resolveLiteral(prov, pkg, res.file, sm.valueAt, SCHEMA_MAP, res.scope);
    if (!map) return { problems: [`no schema map in ${loc.func}`] };
    const attrs = [];
    walkSdkSchema(
        prov,
        pkg,
        map.file,
        map.open,
        [],
        (segs, p, block) => {
            attrs.push({
                path: segs,
                forceNew: !!p.ForceNew && /^true\b/.test(p.ForceNew.value),
                input: !!(p.Optional || p.Required),
                // SDKv2 (helper/schema diffList/diffSet): on a block (Elem *schema.Resource) ForceNew
                // applies to the element count only; nested attributes replace only if ForceNew themselves.
                block,
            });
        },
        problems,
        map.scope,
    );
    const hasUpdate = ["Update", "UpdateContext", "UpdateWithoutTimeout"].some((k) => props[k]);
    const conditional = props.CustomizeDiff ? customizeDiffForceNew(pkg, props.CustomizeDiff.value) : [];
    return { attrs, hasUpdate, conditional, problems };
}

// Attributes named in ForceNew calls of a resource's CustomizeDiff (inline, or in the package
// functions it names, two levels deep). These replace only under a condition.
function customizeDiffForceNew(pkg, text, depth = 0, seen = new Set()) {
    const out = new Set();
    for (const m of text.matchAll(/ForceNew(?:If|IfChange)?\(\s*"([\w.]+)"/g)) out.add(m[1]);
    if (depth < 2) {
        for (const m of text.matchAll(/\b([a-z]\w*)\b(?!\()/g)) {
            const name = m[1];
            if (seen.has(name) || !/[A-Z]/.test(name)) continue;
            seen.add(name);
            const fn = pkg.func(name);
            if (fn) {
                const body = fn.file.src.slice(fn.open, matchBracket(fn.file.src, fn.open));
                for (const a of customizeDiffForceNew(pkg, body, depth + 1, seen)) out.add(a);
            }
        }
        for (const m of text.matchAll(/\b([a-z]\w*)\(/g)) {
            const name = m[1];
            if (seen.has(name)) continue;
            seen.add(name);
            const fn = pkg.func(name);
            if (fn) {
                const body = fn.file.src.slice(fn.open, matchBracket(fn.file.src, fn.open));
                for (const a of customizeDiffForceNew(pkg, body, depth + 1, seen)) out.add(a);
            }
        }
    }
    return [...out];
}

// ---------------------------------------------------------------------------------------------
// Plugin Framework schemas.

function walkFwSchema(prov, pkg, file, open, prefix, visit, problems) {
    const props = {};
    for (const p of elements(file.src, open)) if (p.key) props[p.key] = p;
    for (const kind of ["Attributes", "Blocks"]) {
        const m = props[kind];
        if (!m) continue;
        const lit = resolveLiteral(prov, pkg, file, m.valueAt, "map\\[string\\]schema\\.(?:Attribute|Block)");
        if (!lit) {
            problems.push(`unresolved ${kind} at ${prefix.join(".")}`);
            continue;
        }
        for (const el of elements(lit.file.src, lit.open)) {
            if (el.key === null) continue;
            const name = prov.attrName(el.key, pkg);
            if (!name) {
                problems.push(`unresolved key ${el.key}`);
                continue;
            }
            const text = el.value;
            const brace = /^[\w.]+(?:\[[^\]]*\])?\{/.exec(text);
            if (!brace) {
                // Helper constructors: tags and ids are never replace-forcing inputs; anything else is unknown.
                if (!/^(tftags\.|framework\.(IDAttribute|ARNAttributeComputedOnly))/.test(text))
                    problems.push(`unresolved attribute ${[...prefix, name].join(".")}: ${text.slice(0, 60)}`);
                visit([...prefix, name], { forceNew: false, input: /^tftags\.TagsAttribute\(\)/.test(text) });
                continue;
            }
            const aOpen = el.valueAt + brace[0].length - 1;
            const aProps = {};
            for (const p of elements(lit.file.src, aOpen)) if (p.key) aProps[p.key] = p;
            const pm = aProps.PlanModifiers ? aProps.PlanModifiers.value : "";
            visit([...prefix, name], {
                forceNew: /RequiresReplace(?:IfConfigured|IfValuesNotNull)?\(\)/.test(pm) || /RequiresReplaceIf\(/.test(pm),
                input: kind === "Blocks" || !!(aProps.Optional || aProps.Required),
            });
            const nested = aProps.NestedObject;
            if (nested) {
                const nb = /^[\w.]+\{/.exec(nested.value);
                if (nb) walkFwSchema(prov, pkg, lit.file, nested.valueAt + nb[0].length - 1, [...prefix, name], visit, problems);
            }
        }
    }
}

function readFwResource(prov, loc) {
    const pkg = prov.pkg(loc.dir);
    let fn = pkg.func("Schema", loc.receiver);
    if (!fn) {
        // The Schema method may come from an embedded struct (e.g. the VPC security group rules).
        const def = pkg.files.map((f) => new RegExp(`type ${loc.receiver} struct \\{\\s*\\*?(\\w+)\\s*\\n`).exec(f.src)).find(Boolean);
        if (def) fn = pkg.func("Schema", def[1]);
    }
    if (!fn) return { problems: [`no Schema method on ${loc.receiver}`] };
    const close = matchBracket(fn.file.src, fn.open);
    const body = fn.file.src.slice(fn.open, close);
    const assign = /(?:response|resp)\.Schema = /.exec(body);
    if (!assign) return { problems: ["no Schema assignment"] };
    if (/\n\s*\w+\.(?:Attributes|Blocks)\[/.test(body)) return { problems: ["schema edited after its literal"] };
    const problems = [];
    const scope = { file: fn.file, open: fn.open, close };
    const s = resolveLiteral(prov, pkg, fn.file, fn.open + assign.index + assign[0].length, "schema\\.Schema", scope);
    if (!s) return { problems: ["unresolved schema.Schema"] };
    const attrs = [];
    walkFwSchema(prov, pkg, s.file, s.open, [], (segs, p) => attrs.push({ path: segs, ...p }), problems);
    return { attrs, hasUpdate: true, conditional: [], problems };
}

// ---------------------------------------------------------------------------------------------
// Pulumi names, from the SDK's declaration files.

function parseInterfaces(src, ns) {
    const out = new Map();
    for (const m of src.matchAll(/(?:export )?interface (\w+) \{/g)) {
        const open = m.index + m[0].length - 1;
        const close = src.indexOf("\n}", open) >= 0 && ns === null ? src.indexOf("\n}", open) : null;
        let end = close;
        if (end === null) {
            // Inside a namespace: interfaces are indented; the body ends at the first line "    }".
            end = src.indexOf("\n    }", open);
        }
        const body = src.slice(open, end);
        const fields = new Map();
        // Fields sit one indent in (4 spaces at top level, 8 inside a namespace); a type may span lines.
        const indent = ns === null ? 4 : 8;
        for (const f of body.matchAll(new RegExp(`\\n {${indent}}(\\w+)\\??: ([^\\n]*)`, "g"))) fields.set(f[1], f[2]);
        out.set(m[1], fields);
    }
    return out;
}

class PulumiSchema {
    constructor(pkgDir) {
        this.pkgDir = pkgDir;
        this.inputs = new Map(); // "ns.Iface" -> fields
        const inputFile = path.join(pkgDir, "types", "input.d.ts");
        if (fs.existsSync(inputFile)) {
            const src = fs.readFileSync(inputFile, "utf8");
            const nss = [...src.matchAll(/^export declare namespace (\w+) \{/gm)];
            nss.forEach((m, i) => {
                const part = src.slice(m.index, i + 1 < nss.length ? nss[i + 1].index : src.length);
                for (const [name, fields] of parseInterfaces(part, m[1])) this.inputs.set(`${m[1]}.${name}`, fields);
                // Nested namespaces (e.g. `namespace v2`) are not used by the plan's types.
            });
        }
    }
    args(token) {
        const [, mod, res] = token.split(":");
        const [dir, file] = mod.split("/");
        const f = path.join(this.pkgDir, dir === "index" ? "" : dir, `${file}.d.ts`);
        if (!fs.existsSync(f)) return null;
        const src = fs.readFileSync(f, "utf8");
        const all = parseInterfaces(src, null);
        return all.get(`${res}Args`) || null;
    }
    nested(typeText) {
        const m = /inputs\.(\w+)\.(\w+)/.exec(typeText);
        return m ? this.inputs.get(`${m[1]}.${m[2]}`) || null : null;
    }
}

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
function candidates(tfName) {
    const c = camel(tfName);
    const out = [c, `${c}s`, `${c}es`];
    if (c.endsWith("y")) out.push(`${c.slice(0, -1)}ies`);
    if (c.endsWith("Index")) out.push(`${c.slice(0, -5)}Indices`);
    return out;
}

// Maps a TF attribute path onto the Pulumi input path, or null when it is not a Pulumi input.
function pulumiPath(schema, fields, segs, renames = {}) {
    const parts = [];
    let cur = fields;
    for (let i = 0; i < segs.length; i++) {
        if (!cur) return null;
        const names = i === 0 && renames[segs[0]] ? [renames[segs[0]]] : candidates(segs[i]);
        const name = names.find((c) => cur.has(c));
        if (!name) return null;
        const t = cur.get(name);
        const isList = /\[\]/.test(t);
        const last = i === segs.length - 1;
        parts.push(name + (isList && !last ? "[]" : ""));
        if (!last) cur = schema.nested(t);
    }
    return parts.join(".");
}

// ---------------------------------------------------------------------------------------------

function planTypes() {
    const types = new Set();
    // prod as committed, and prod with the other web runtime (its types are planned only then).
    const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
    if (!prod.includes("  platform:web:\n")) throw new Error("Pulumi.prod.yaml has no platform:web section to set runtime in");
    const beanstalk = path.join(fs.mkdtempSync(path.join(require("os").tmpdir(), "platform-stack-")), "Pulumi.prod.yaml");
    fs.writeFileSync(beanstalk, prod.replace("  platform:web:\n", "  platform:web:\n    runtime: beanstalk\n"));
    const runs = [
        ["--stack", "dev"],
        ["--stack", "prod"],
        ["--stack", "prod", "--stack-file", beanstalk],
        ["--project", "delivery", "--stack", "delivery"],
    ];
    for (const args of runs) {
        const out = execFileSync(process.execPath, [path.join(ROOT, "tools", "run.js"), "plan", ...args, "--json"], {
            cwd: ROOT,
            maxBuffer: 64 * 1024 * 1024,
            stdio: ["ignore", "pipe", "pipe"],
        });
        for (const r of JSON.parse(out.toString()).resources) types.add(r.type);
    }
    return [...types].sort();
}

function generate(opts) {
    const aws = new Provider(opts.provider);
    const random = opts.random ? new Provider(opts.random) : null;
    const awsSchema = new PulumiSchema(PULUMI_AWS);
    const randomSchema = new PulumiSchema(PULUMI_RANDOM);
    const types = {};
    const manual = [];
    const report = [];
    for (const token of opts.types) {
        if (token.startsWith(COMPONENT_PREFIX)) {
            types[token] = { replaces: [] };
            continue;
        }
        if (MANUAL[token]) {
            const { source, ...entry } = MANUAL[token];
            types[token] = entry;
            if (source) manual.push({ type: token, source, reason: "not a Terraform resource: modelled from its source" });
            continue;
        }
        const tf = TF_TYPES[token];
        const isRandom = token.startsWith("random:");
        const prov = isRandom ? random : aws;
        const loc = tf && prov && prov.locate(tf);
        if (!loc) {
            const hand = HAND_READ[token];
            if (hand) {
                types[token] = hand.entry;
                manual.push({ type: token, source: hand.source, reason: hand.reason });
            } else report.push(`${token}: ${tf || "no TF mapping"} not found in the checkout; left out`);
            continue;
        }
        const schema = isRandom ? randomSchema : awsSchema;
        const args = schema.args(token);
        if (!args) {
            report.push(`${token}: no Args interface in the Pulumi SDK; left out`);
            continue;
        }
        const r = loc.kind === "sdk" ? readSdkResource(prov, loc) : readFwResource(prov, loc);
        if (!r.attrs) {
            report.push(`${token}: ${r.problems.join("; ")}; left out`);
            continue;
        }
        if (r.problems.length) {
            report.push(`${token}: unresolved parts (${r.problems.join("; ")}); left out`);
            continue;
        }
        const replaces = new Set();
        const onCount = new Set();
        const unmatched = [];
        for (const a of r.attrs) {
            if (!a.forceNew || !a.input) continue;
            const p = pulumiPath(schema, args, a.path, RENAMES[token]);
            if (p === null) {
                if (a.path.length === 1 && !["tags_all"].includes(a.path[0])) unmatched.push(a.path.join("."));
                continue;
            }
            (a.block ? onCount : replaces).add(p);
        }
        // A replace-forcing attribute inside a block that replaces on any change is covered by it.
        for (const p of [...replaces]) {
            const parent = [...replaces].find((q) => q !== p && (p.startsWith(`${q}.`) || p.startsWith(`${q}[].`)));
            if (parent) replaces.delete(p);
        }
        for (const p of [...onCount]) {
            if ([...replaces].some((q) => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[].`))) onCount.delete(p);
        }
        // Top-level Pulumi inputs with no attribute in this source (newer than the checkout).
        const known = new Set(
            r.attrs
                .filter((a) => a.path.length === 1)
                .map((a) => pulumiPath(schema, args, a.path, RENAMES[token]))
                .filter(Boolean),
        );
        const unverified = [...args.keys()].filter((k) => !known.has(k) && k !== "region" && k !== "tagsAll");
        if (!isRandom && args.has("region")) replaces.add("region");
        const entry = { replaces: r.hasUpdate ? [...replaces].sort() : ["*"] };
        if (r.hasUpdate && onCount.size) entry.replacesOnCount = [...onCount].sort();
        const conditional = r.conditional
            .map((c) =>
                pulumiPath(
                    schema,
                    args,
                    c.split(".").filter((s) => !/^\d+$/.test(s)),
                    RENAMES[token],
                ),
            )
            .filter(Boolean);
        conditional.push(...(EXTRA_CONDITIONAL[token] || []));
        if (conditional.length) entry.conditional = [...new Set(conditional)].sort();
        if (unverified.length) entry.unverified = unverified.sort();
        if (unmatched.length) report.push(`${token}: ForceNew TF attributes with no Pulumi input: ${unmatched.join(", ")}`);
        types[token] = entry;
    }
    return { types, manual, report };
}

function main() {
    const argv = process.argv.slice(2);
    const opts = { out: path.join(__dirname, "replacements.json") };
    const positional = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--random") opts.random = argv[++i];
        else if (argv[i] === "--version") opts.version = argv[++i];
        else if (argv[i] === "--random-version") opts.randomVersion = argv[++i];
        else if (argv[i] === "--out") opts.out = argv[++i];
        else positional.push(argv[i]);
    }
    opts.provider = positional[0];
    if (!opts.provider || !fs.existsSync(path.join(opts.provider, "internal"))) {
        console.error(
            "usage: node tools/diff/generate-replacements.js <terraform-provider-aws checkout> [--random <terraform-provider-random checkout>] [--version <tag or commit>] [--random-version <tag>] [--out <file>]",
        );
        process.exit(1);
    }
    opts.previous = fs.existsSync(opts.out) ? JSON.parse(fs.readFileSync(opts.out, "utf8")) : null;
    opts.types = planTypes();
    const { types, manual, report } = generate(opts);
    const prevSource = (opts.previous && opts.previous.source) || {};
    const result = {
        source: {
            provider: "hashicorp/terraform-provider-aws",
            version: opts.version || prevSource.version || "unknown",
            pulumiAws: JSON.parse(fs.readFileSync(path.join(PULUMI_AWS, "package.json"), "utf8")).version,
            random: {
                provider: "hashicorp/terraform-provider-random",
                version: opts.randomVersion || (prevSource.random || {}).version || "unknown",
                pulumiRandom: JSON.parse(fs.readFileSync(path.join(PULUMI_RANDOM, "package.json"), "utf8")).version,
            },
            generatedBy:
                "node tools/diff/generate-replacements.js <path to a terraform-provider-aws checkout> --random <path to a terraform-provider-random checkout> --version <tag or commit>",
            generatedAt: new Date().toISOString().slice(0, 10),
        },
        notes: [
            '"replaces": input paths (Pulumi names; [] = any list/set element) whose change replaces the resource; a listed block covers everything beneath it. "*": the resource has no Update, every input change replaces.',
            '"replacesOnCount": ForceNew blocks of SDKv2 resources: adding or removing the block (or changing its number of elements) replaces; a change inside an element replaces only through the nested paths in "replaces" (terraform-plugin-sdk helper/schema diffList/diffSet give a block\'s ForceNew to its count only).',
            '"conditional": inputs a CustomizeDiff may force to replace under a condition (e.g. a downgrade); report them as "may replace".',
            '"unverified": top-level Pulumi inputs the source read here does not declare (added after it): treat a change to them as "may replace".',
            REGION_NOTE,
            'source.version is the provider source read. @pulumi/aws 7.x is bridged from Terraform AWS provider v6.x; inputs added since that source are listed as "unverified", but a ForceNew added to or dropped from an existing attribute since then is not seen: regenerate from the exact pin when a checkout of it is available.',
            '"manual": types read by hand (file@commit and reason) because the checkout predates them.',
        ],
        manual,
        types,
    };
    fs.writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
    for (const line of report) console.error(line);
    const n = Object.keys(types).length;
    console.error(
        `${n} types written to ${path.relative(process.cwd(), opts.out)} (${manual.length} hand-read, ${report.filter((l) => /left out/.test(l)).length} left out)`,
    );
}

if (require.main === module) main();

module.exports = { elements, matchBracket, candidates, pulumiPath, Provider, PulumiSchema, readFwResource, readSdkResource, TF_TYPES, MANUAL };
