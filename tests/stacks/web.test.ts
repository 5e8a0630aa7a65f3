import { strict as assert } from "assert";
import type { PlannedResource } from "../../tools/engine";
import { isAdminStatement } from "../../policy/rules/iam";
import { doc, ofType, one, planOf, upstreamOf } from "../helpers/plan";

const expectations = {
    dev: { https: false, deletionProtection: false, protect: false, minSize: 1, spot: false, minHealthy: 0 },
    prod: { https: true, deletionProtection: true, protect: true, minSize: 3, spot: true, minHealthy: 90 },
};

/** Session Manager's instance actions, as AWS documents them for a custom Session Manager instance profile. */
const SESSION_MANAGER = [
    "ssm:UpdateInstanceInformation",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
];

for (const [stack, want] of Object.entries(expectations)) {
    describe(`${stack} web tier`, () => {
        const plan = () => planOf(stack);
        const byUrn = (urn: string) => plan().resources.find((r) => r.urn === urn)!;
        const sg = (name: string) => one(plan(), "aws:ec2/securityGroup:SecurityGroup", name);
        const rulesOf = (type: "Ingress" | "Egress", group: PlannedResource) =>
            ofType(plan(), `aws:vpc/securityGroup${type}Rule:SecurityGroup${type}Rule`).filter((r) => r.inputs.securityGroupId === group.id);
        const lt = () => one(plan(), "aws:ec2/launchTemplate:LaunchTemplate", "web-");
        const asg = () => one(plan(), "aws:autoscaling/group:Group", "web-");
        const alb = () => one(plan(), "aws:lb/loadBalancer:LoadBalancer", "web-");

        it("the ASG launches from the launch template, which requires IMDSv2 with hop limit 1", () => {
            const template = lt();
            const spec = want.spot
                ? (asg().inputs.mixedInstancesPolicy as any).launchTemplate.launchTemplateSpecification
                : (asg().inputs.launchTemplate as any);
            assert.equal(spec.id ?? spec.launchTemplateId, template.id);
            assert.equal(spec.version, String(template.outputs.latestVersion), "pinned, so a new version starts an instance refresh");
            assert.deepEqual(template.inputs.metadataOptions, {
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
                instanceMetadataTags: "disabled",
            });
        });

        it("instances run the AL2023 AMI current at deploy time (an AMI id, so instance refresh can roll back), an encrypted gp3 root volume and no key pair", () => {
            const inputs = lt().inputs as any;
            assert.match(inputs.imageId, /^ami-[0-9a-f]{17}$/);
            assert.equal((asg().inputs as any).instanceRefresh.preferences.autoRollback, true);
            assert.equal(inputs.keyName, undefined);
            const [root] = inputs.blockDeviceMappings;
            assert.deepEqual(
                [root.deviceName, root.ebs.volumeType, root.ebs.encrypted, root.ebs.kmsKeyId],
                ["/dev/xvda", "gp3", "true", one(plan(), "aws:kms/key:Key").outputs.arn],
            );
            assert.equal(inputs.iamInstanceProfile.arn, one(plan(), "aws:iam/instanceProfile:InstanceProfile", "web-").outputs.arn);
        });

        it("the key policy lets the Auto Scaling service-linked role use the key for those volumes", () => {
            const statements = doc(one(plan(), "aws:kms/key:Key").inputs.policy).Statement;
            const slr = "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";
            const use = statements.find((s) => s.Sid === "AutoScalingUsesKeyForVolumes");
            assert.deepEqual(use.Action, ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]);
            assert.equal(use.Condition.StringEquals["aws:PrincipalArn"], slr);
            const grant = statements.find((s) => s.Sid === "AutoScalingAttachesVolumes");
            assert.equal(grant.Action, "kms:CreateGrant");
            assert.deepEqual(grant.Condition, {
                StringEquals: { "aws:PrincipalArn": slr, "aws:PrincipalAccount": "123456789012" },
                Bool: { "kms:GrantIsForAWSResource": true },
            });
        });

        it("fleet ingress comes only from the ALB's security group, on the app port", () => {
            const ingress = rulesOf("Ingress", sg("web-fleet-sg"));
            assert.deepEqual(
                ingress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]),
                [[sg("web-alb-sg").id, 8080, 8080, undefined]],
            );
        });

        it(`the ALB admits only CloudFront's origin-facing servers, on ${want.https ? "443" : "80"}, and reaches only the fleet and the public container services, on the app port`, () => {
            const ingress = rulesOf("Ingress", sg("web-alb-sg"));
            // The CloudFront prefix list counts as 55 of a group's 60 rules: one port only, the one CloudFront's origin policy uses.
            assert.deepEqual(
                ingress.map((r) => [r.inputs.prefixListId, r.inputs.cidrIpv4, r.inputs.fromPort, r.inputs.toPort]),
                [["pl-3b927c52", undefined, ...(want.https ? [443, 443] : [80, 80])]],
            );
            const egress = rulesOf("Egress", sg("web-alb-sg"));
            // Besides the fleet, the public container services' tasks (tests/stacks/containers.test.ts), each on its own rule.
            const publicServices = ["catalog"].map((s) => [sg(`${s}-sg`).id, 8080, 8080]);
            assert.deepEqual(
                egress.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]),
                [[sg("web-fleet-sg").id, 8080, 8080], ...publicServices],
            );
            assert.deepEqual(alb().inputs.securityGroups, [sg("web-alb-sg").id]);
        });

        it("the fleet reaches out on 443 (AWS APIs) and to the cache and the database proxy on their ports only", () => {
            const egress = rulesOf("Egress", sg("web-fleet-sg"));
            const to = Object.fromEntries(egress.map((r) => [r.name, [r.inputs.cidrIpv4 ?? r.inputs.referencedSecurityGroupId, r.inputs.fromPort]]));
            assert.deepEqual(to, {
                "web-fleet-to-https": ["0.0.0.0/0", 443],
                "web-fleet-to-cache": [sg("cache-sg").id, 6379],
                "web-fleet-to-database-proxy": [sg("database-proxy-sg").id, 5432],
            });
        });

        it("the ALB is internet-facing in the public subnets, drops invalid headers and writes access logs", () => {
            const inputs = alb().inputs as any;
            assert.equal(inputs.internal, false);
            assert.deepEqual(inputs.subnets, (plan().outputs as any).publicSubnetIds);
            assert.equal(inputs.dropInvalidHeaderFields, true);
            assert.deepEqual(inputs.accessLogs, {
                bucket: one(plan(), "aws:s3/bucket:Bucket", "web-access-logs").outputs.bucket,
                prefix: "alb",
                enabled: true,
            });
            assert.ok(
                alb().options.dependsOn.includes(one(plan(), "aws:s3/bucketPolicy:BucketPolicy", "web-access-logs").urn),
                "created after the bucket policy lets ELB write",
            );
            assert.equal(inputs.enableDeletionProtection, want.deletionProtection);
        });

        it(want.https ? "serves HTTPS with TLS 1.3 only (CloudFront never uses port 80)" : "serves plain HTTP to CloudFront (dev, no certificate)", () => {
            const listeners = ofType(plan(), "aws:lb/listener:Listener").filter((l) => l.name.startsWith("web-"));
            const summary = listeners
                .map((l) => [l.inputs.port, l.inputs.protocol, l.inputs.sslPolicy, (l.inputs.defaultActions as any[]).map((a) => a.type).join()])
                .sort();
            // The default action refuses (403); a rule forwards what carries CloudFront's origin header (tests/stacks/edge-api.test.ts).
            if (want.https) assert.deepEqual(summary, [[443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06", "fixed-response"]]);
            else assert.deepEqual(summary, [[80, "HTTP", undefined, "fixed-response"]]);
            const forward = one(plan(), "aws:lb/listenerRule:ListenerRule", "web-from-cloudfront");
            assert.equal(forward.inputs.listenerArn, listeners[0].outputs.arn);
            assert.deepEqual(forward.inputs.actions, [{ type: "forward", targetGroupArn: one(plan(), "aws:lb/targetGroup:TargetGroup", "web-").outputs.arn }]);
            // Users reach the service through CloudFront, over HTTPS.
            assert.match((plan().outputs as any).url, want.https ? /^https:\/\/www\.example\.com$/ : /^https:\/\/d\w+\.cloudfront\.net$/);
        });

        it("the target group health-checks the service's path with a deregistration delay and slow start", () => {
            const tg = one(plan(), "aws:lb/targetGroup:TargetGroup", "web-");
            assert.deepEqual([tg.inputs.protocol, tg.inputs.port, (tg.inputs.healthCheck as any).path], ["HTTP", 8080, "/live"]);
            assert.equal(tg.inputs.deregistrationDelay, stack === "prod" ? 120 : 30);
            assert.equal(tg.inputs.slowStart, stack === "prod" ? 60 : 0);
        });

        it("the access-log bucket is private, SSE-S3 encrypted (ALB logs support no KMS), TLS-only and expires logs", () => {
            const bucket = one(plan(), "aws:s3/bucket:Bucket", "web-access-logs");
            const ofBucket = (type: string) => ofType(plan(), type).filter((r) => r.inputs.bucket === bucket.id);
            const [block] = ofBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
            assert.deepEqual(
                [block.inputs.blockPublicAcls, block.inputs.blockPublicPolicy, block.inputs.ignorePublicAcls, block.inputs.restrictPublicBuckets],
                [true, true, true, true],
            );
            assert.equal((ofBucket("aws:s3/bucketOwnershipControls:BucketOwnershipControls")[0].inputs.rule as any).objectOwnership, "BucketOwnerEnforced");
            const [sse] = ofBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
            assert.equal((sse.inputs.rules as any)[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            const rules = (ofBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0].inputs.rules as any[]).filter((r) => r.expiration);
            assert.deepEqual(
                rules.map((r) => r.expiration.days),
                [stack === "prod" ? 365 : 30],
            );
            const deny = doc(ofBucket("aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy).Statement.find((s) => s.Effect === "Deny");
            assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": false } });
            assert.equal(bucket.options.protect, want.protect);
            // Protected (prod) log buckets are versioned, so no overwrite or delete erases the trail.
            assert.equal(ofBucket("aws:s3/bucketVersioning:BucketVersioning").length, want.protect ? 1 : 0);
        });

        it("the service bundle sits in a private, versioned bucket encrypted with the platform key", () => {
            const bucket = one(plan(), "aws:s3/bucket:Bucket", "web-artifacts");
            const ofBucket = (type: string) => ofType(plan(), type).filter((r) => r.inputs.bucket === bucket.id);
            const [sse] = ofBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration");
            assert.deepEqual((sse.inputs.rules as any)[0].applyServerSideEncryptionByDefault, {
                sseAlgorithm: "aws:kms",
                kmsMasterKeyId: one(plan(), "aws:kms/key:Key").outputs.arn,
            });
            assert.equal((ofBucket("aws:s3/bucketVersioning:BucketVersioning")[0].inputs.versioningConfiguration as any).status, "Enabled");
            assert.equal(ofBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").length, 1);
            assert.equal(bucket.options.protect, want.protect);
            const object = one(plan(), "aws:s3/bucketObjectv2:BucketObjectv2", "web-");
            assert.equal(object.inputs.bucket, bucket.id);
            const sha = /^web\/([0-9a-f]{64})\.js$/.exec(String(object.inputs.key))?.[1];
            assert.ok(sha, String(object.inputs.key));
            assert.ok(
                Buffer.from(String(lt().inputs.userData), "base64").toString().includes(`BUNDLE_SHA256=${sha}`),
                "the user data carries the bundle's hash",
            );
        });

        it(`scales on CPU and on requests per target, rolls with instance refresh (min healthy ${want.minHealthy}%), and leaves desiredCapacity to target tracking`, () => {
            const group = asg();
            assert.equal(group.inputs.healthCheckType, "ELB");
            assert.equal(group.inputs.healthCheckGracePeriod, 300);
            assert.equal(group.inputs.minSize, want.minSize);
            assert.deepEqual(group.inputs.vpcZoneIdentifiers, (plan().outputs as any).privateSubnetIds);
            assert.deepEqual(group.inputs.targetGroupArns, [one(plan(), "aws:lb/targetGroup:TargetGroup", "web-").outputs.arn]);
            assert.deepEqual(group.options.ignoreChanges, ["desiredCapacity"]);
            const refresh = group.inputs.instanceRefresh as any;
            assert.equal(refresh.strategy, "Rolling");
            assert.equal(refresh.preferences.minHealthyPercentage, want.minHealthy);
            assert.equal(group.inputs.mixedInstancesPolicy !== undefined, want.spot);

            const policies = ofType(plan(), "aws:autoscaling/policy:Policy")
                .filter((p) => p.name.startsWith("web-"))
                .map((p) => (p.inputs.targetTrackingConfiguration as any).predefinedMetricSpecification);
            const tg = one(plan(), "aws:lb/targetGroup:TargetGroup", "web-");
            assert.deepEqual(policies, [
                { predefinedMetricType: "ASGAverageCPUUtilization" },
                { predefinedMetricType: "ALBRequestCountPerTarget", resourceLabel: `${alb().outputs.arnSuffix}/${tg.outputs.arnSuffix}` },
            ]);
        });

        it("the instance role trusts EC2, has no wildcard admin and no managed policy, and gets exactly Session Manager's actions", () => {
            const role = one(plan(), "aws:iam/role:Role", "web-instance-role");
            assert.deepEqual(
                doc(role.inputs.assumeRolePolicy).Statement.map((s) => s.Principal),
                [{ Service: "ec2.amazonaws.com" }],
            );
            const policies = ofType(plan(), "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.outputs.name);
            const statements = policies.flatMap((p) => doc(p.inputs.policy).Statement);
            assert.deepEqual(
                statements.filter((s) => isAdminStatement(s)),
                [],
            );
            // Only Session Manager's actions, which take no resource scope, are on "*".
            const unscoped = statements.filter((s) => [s.Resource].flat().includes("*"));
            assert.deepEqual(
                unscoped.map((s) => s.Action),
                [SESSION_MANAGER],
            );
            const attached = ofType(plan(), "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === role.outputs.name);
            assert.deepEqual(attached, [], "no managed policy: AmazonSSMManagedInstanceCore would read every SSM parameter in the account");
            // Grants from the data stores reach the same role.
            const actions = statements.flatMap((s) => [s.Action].flat());
            for (const a of [
                "secretsmanager:GetSecretValue",
                "rds-db:connect",
                "dynamodb:DescribeTable",
                "ssm:GetParametersByPath",
                "s3:GetObject",
                "kinesis:PutRecords",
            ])
                assert.ok(actions.includes(a), a);
        });

        it("writes the service's settings as plain SSM Strings under its path, readable by exactly that path", () => {
            const params = ofType(plan(), "aws:ssm/parameter:Parameter").filter((p) => p.name.startsWith("web-settings-"));
            const path = `/platform/${stack}/web/`;
            assert.deepEqual(params.map((p) => String(p.inputs.name).slice(path.length)).sort(), [
                "analytics-stream-name",
                "cache-auth-secret-arn",
                "cache-host",
                "cache-port",
                "db-host",
                "db-name",
                "db-port",
                "db-user",
                "table-name",
            ]);
            for (const p of params) {
                assert.ok(String(p.inputs.name).startsWith(path));
                assert.equal(p.inputs.type, "String");
                assert.equal(p.inputs.value, undefined);
                assert.ok(
                    typeof p.inputs.insecureValue === "string" && p.inputs.insecureValue !== "[secret]",
                    `${p.inputs.name} holds ${p.inputs.insecureValue}`,
                );
            }
            const read = one(plan(), "aws:iam/rolePolicy:RolePolicy", "web-settings-read");
            assert.deepEqual(
                doc(read.inputs.policy).Statement.map((s) => [s.Action, s.Resource]),
                [["ssm:GetParametersByPath", `arn:aws:ssm:us-east-1:123456789012:parameter/platform/${stack}/web`]],
            );
            assert.match(Buffer.from(String(lt().inputs.userData), "base64").toString(), new RegExp(`^Environment=SSM_PATH=${path}$`, "m"));
        });

        it("the fleet starts only once everything its instances read at boot exists: settings, grants, data stores and the routes to them", () => {
            const upstream = upstreamOf(plan(), asg().urn);
            const role = one(plan(), "aws:iam/role:Role", "web-instance-role");
            const onRole = (type: string) => ofType(plan(), type).filter((p) => p.inputs.role === role.outputs.name);
            const required = [
                ...ofType(plan(), "aws:ssm/parameter:Parameter").filter((p) => String(p.inputs.name).startsWith(`/platform/${stack}/web/`)),
                ...onRole("aws:iam/rolePolicy:RolePolicy"),
                ...onRole("aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
                // The proxy serves only once its target has registered the instance.
                one(plan(), "aws:rds/proxyTarget:ProxyTarget"),
                one(plan(), "aws:elasticache/replicationGroup:ReplicationGroup"),
                one(plan(), "aws:secretsmanager/secretVersion:SecretVersion", "cache-auth"),
                one(plan(), "aws:dynamodb/table:Table", "table-"),
                one(plan(), "aws:kinesis/stream:Stream"),
                // Out to the data stores and AWS's APIs, and in from the load balancer's health checks.
                ...rulesOf("Egress", sg("web-fleet-sg")),
                ...rulesOf("Ingress", sg("web-fleet-sg")),
            ];
            assert.ok(required.length >= 9 + 6 + 5 + 4, `found only ${required.length} start-up dependencies`);
            assert.deepEqual(
                required.filter((r) => !upstream.has(r.urn)).map((r) => r.name),
                [],
            );
        });

        it("keeps the service's log in an encrypted group with retention", () => {
            const group = byUrn(one(plan(), "aws:cloudwatch/logGroup:LogGroup", "web-logs").urn);
            assert.equal(group.inputs.name, `/platform/${stack}/web`);
            assert.equal(group.inputs.retentionInDays, stack === "prod" ? 365 : 14);
            assert.match(String(group.inputs.kmsKeyId), /^arn:aws:kms:/);
        });

        it("exports the URL and the data stores' endpoints, never a secret's value", () => {
            const outputs = plan().outputs as Record<string, unknown>;
            for (const key of [
                "url",
                "albDnsName",
                "webLogGroup",
                "cacheEndpoint",
                "databaseProxyEndpoint",
                "tableName",
                "databaseSecretArn",
                "cacheAuthSecretArn",
            ])
                assert.ok(outputs[key], key);
            assert.deepEqual(
                Object.entries(outputs)
                    .filter(([, v]) => v === "[secret]")
                    .map(([k]) => k),
                [],
            );
        });

        it("passes the policy pack's mandatory rules", () => {
            const webTier = /platform:web:WebCluster|platform:config:ServiceParameters|::platform::platform:security:PlatformKey/;
            const mandatory = plan().policy.violations.filter((v) => v.enforcement === "mandatory" && webTier.test(v.urn));
            assert.deepEqual(
                mandatory.map((v) => `${v.policy} ${v.urn}: ${v.message}`),
                [],
            );
        });
    });
}
