import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { defaults } from "../../config/sections/web";
import { TLS_POLICY, WebCluster, type WebClusterArgs } from "../../components/web-cluster";
import { webUserData } from "../../components/web-user-data";
import type { Plan, PlannedResource } from "../../tools/engine";
import { render, testContext } from "../helpers/component";
import { doc } from "../helpers/plan";

const code = "console.log('web');";
const service = { code, sha256: createHash("sha256").update(code).digest("hex") };
const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f3c8a52-7d1e-4b6a-9c2e-5a8d4e1b7f60";

function args(overrides: Partial<WebClusterArgs> = {}): WebClusterArgs {
    return {
        ...defaults.dev,
        context: testContext({
            region: "us-east-1",
            accountId: "123456789012",
            kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555",
        }),
        vpcId: "vpc-0123456789abcdef0",
        publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
        privateSubnetIds: ["subnet-app-a", "subnet-app-b"],
        allowPlainHttp: true,
        service,
        parameterPath: "/platform/test/web/",
        instanceTags: { environment: "test", project: "platform", owner: "team" },
        ...overrides,
    };
}

const all = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const only = (plan: Plan, type: string, name = ""): PlannedResource => {
    const found = all(plan, type).filter((r) => r.name.includes(name));
    assert.equal(found.length, 1, `expected one ${type} *${name}*, found ${found.map((r) => r.name).join(", ")}`);
    return found[0];
};
/** A cluster with its fleet launched (nothing else to wait for). */
const launched = (name: string, a: WebClusterArgs) => new WebCluster(name, a).launchFleet([]);
const decode = (lt: PlannedResource) => Buffer.from(String(lt.inputs.userData), "base64").toString("utf8");

describe("WebCluster component", () => {
    it("without a certificate (dev) serves HTTP on 80 only, forwarding to the target group", async () => {
        const plan = await render(() => new WebCluster("web", args()));
        const listeners = all(plan, "aws:lb/listener:Listener");
        assert.deepEqual(
            listeners.map((l) => [l.inputs.port, l.inputs.protocol, (l.inputs.defaultActions as any[])[0].type]),
            [[80, "HTTP", "forward"]],
        );
        const albIngress = all(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.startsWith("web-alb-in"));
        assert.deepEqual(
            albIngress.map((r) => r.inputs.fromPort),
            [80],
        );
        assert.equal(only(plan, "aws:lb/loadBalancer:LoadBalancer").inputs.dropInvalidHeaderFields, true);
    });

    it("with a certificate serves HTTPS with TLS 1.3 and redirects HTTP to it with a 301", async () => {
        const plan = await render(() => new WebCluster("web", args({ certificateArn: CERT, allowPlainHttp: false })));
        const https = only(plan, "aws:lb/listener:Listener", "https");
        assert.equal(https.inputs.protocol, "HTTPS");
        assert.equal(https.inputs.port, 443);
        assert.equal(https.inputs.sslPolicy, TLS_POLICY);
        assert.equal(TLS_POLICY, "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert.equal(https.inputs.certificateArn, CERT);
        const redirect = only(plan, "aws:lb/listener:Listener", "http-redirect");
        assert.deepEqual(
            (redirect.inputs.defaultActions as any[]).map((a) => [a.type, a.redirect]),
            [["redirect", { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" }]],
        );
        const albIngress = all(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.startsWith("web-alb-in"));
        assert.deepEqual(albIngress.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]).sort(), [
            [443, 443, "0.0.0.0/0"],
            [80, 80, "0.0.0.0/0"],
        ]);
    });

    describe("behind CloudFront (ingress from cloudfront)", () => {
        const ingress = { from: "cloudfront" as const, originHeader: { name: "X-Origin-Verify", value: "s3cr3t" } };
        const albIngress = (plan: Plan) =>
            all(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                (r) => r.inputs.securityGroupId === only(plan, "aws:ec2/securityGroup:SecurityGroup", "alb-sg").id,
            );

        it("admits only CloudFront's prefix list, on 443 with a certificate and 80 without, never the internet", async () => {
            for (const [certificateArn, port] of [
                [CERT, 443],
                [undefined, 80],
            ] as const) {
                const plan = await render(() => new WebCluster("web", args({ certificateArn, ingress })));
                assert.deepEqual(
                    albIngress(plan).map((r) => [r.inputs.prefixListId, r.inputs.cidrIpv4, r.inputs.fromPort, r.inputs.toPort]),
                    [["pl-3b927c52", undefined, port, port]],
                );
            }
        });

        it("refuses by default (403) and forwards, last in priority, what carries the origin header; no port-80 redirect listener", async () => {
            const plan = await render(() => launched("web", args({ certificateArn: CERT, allowPlainHttp: false, ingress })));
            const listeners = all(plan, "aws:lb/listener:Listener");
            assert.deepEqual(
                listeners.map((l) => [l.inputs.port, (l.inputs.defaultActions as any[])[0].fixedResponse?.statusCode]),
                [[443, "403"]],
            );
            const forward = only(plan, "aws:lb/listenerRule:ListenerRule", "from-cloudfront");
            assert.equal(forward.inputs.priority, 50000);
            assert.deepEqual(forward.inputs.conditions, [{ httpHeader: { httpHeaderName: "X-Origin-Verify", values: ["s3cr3t"] } }]);
            assert.deepEqual(forward.inputs.actions, [{ type: "forward", targetGroupArn: only(plan, "aws:lb/targetGroup:TargetGroup").outputs.arn }]);
            const scaling = all(plan, "aws:autoscaling/policy:Policy").find((p) => p.name === "web-requests-target")!;
            assert.ok(scaling.options.dependsOn.includes(forward.urn), "the request-count metric exists once a rule forwards to the group");
        });

        it("on its own (the default ingress) still admits the internet and forwards by default", async () => {
            const plan = await render(() => new WebCluster("web", args()));
            assert.deepEqual(
                albIngress(plan).map((r) => [r.inputs.cidrIpv4, r.inputs.prefixListId]),
                [["0.0.0.0/0", undefined]],
            );
            assert.equal(all(plan, "aws:lb/listenerRule:ListenerRule").length, 1, "only the health 404");
        });
    });

    it("refuses to serve plain HTTP unless allowed", async () => {
        await assert.rejects(
            render(() => new WebCluster("web", args({ allowPlainHttp: false }))),
            /no certificateArn, and plain HTTP is not allowed: configure platform:web.certificateArn/,
        );
    });

    it("probes liveness from the target group and hides the dependency report from the internet", async () => {
        const plan = await render(() => new WebCluster("web", args({ certificateArn: CERT })));
        const rule = only(plan, "aws:lb/listenerRule:ListenerRule");
        assert.equal(rule.inputs.listenerArn, only(plan, "aws:lb/listener:Listener", "https").outputs.arn);
        assert.deepEqual((rule.inputs.conditions as any[])[0].pathPattern.values, ["/health"]);
        assert.equal((rule.inputs.actions as any[])[0].fixedResponse.statusCode, "404");
        const tg = only(plan, "aws:lb/targetGroup:TargetGroup");
        assert.equal((tg.inputs.healthCheck as any).path, "/live");
        assert.equal(tg.inputs.port, 8080);
    });

    it("grants ALB log delivery to the regional ELB account where one exists, else to the log-delivery service", async () => {
        const principalIn = async (region: string) => {
            const plan = await render(
                () =>
                    new WebCluster(
                        "web",
                        args({
                            context: testContext({
                                region,
                                accountId: "123456789012",
                                kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555",
                            }),
                        }),
                    ),
                { region },
            );
            const policy = doc(only(plan, "aws:s3/bucketPolicy:BucketPolicy", "access-logs").inputs.policy);
            const s = policy.Statement.find((x) => x.Sid === "ElbDeliversAccessLogs");
            assert.match(s.Resource, /^arn:aws:s3:::web-access-logs-\w+\/alb\/AWSLogs\/123456789012\/\*$/);
            return s.Principal;
        };
        assert.deepEqual(await principalIn("us-east-1"), { AWS: "arn:aws:iam::127311923021:root" });
        assert.deepEqual(await principalIn("eu-south-2"), { Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
    });

    it("puts the bundle's hash into the object key and the user data", async () => {
        const plan = await render(() => new WebCluster("web", args()));
        const object = only(plan, "aws:s3/bucketObjectv2:BucketObjectv2");
        assert.equal(object.inputs.key, `web/${service.sha256}.js`);
        assert.equal(object.inputs.serverSideEncryption, "aws:kms");
        const script = decode(only(plan, "aws:ec2/launchTemplate:LaunchTemplate"));
        assert.ok(script.includes(`BUNDLE_SHA256=${service.sha256}`));
        assert.ok(script.includes(`s3://${only(plan, "aws:s3/bucket:Bucket", "artifacts").outputs.bucket}/web/${service.sha256}.js`));
    });

    it("launches from the template at a pinned version; Spot adds a mixed-instances policy of same-architecture types", async () => {
        const plain = await render(() => launched("web", args()));
        const onDemand = only(plain, "aws:autoscaling/group:Group");
        assert.deepEqual(onDemand.inputs.launchTemplate, { id: only(plain, "aws:ec2/launchTemplate:LaunchTemplate").id, version: "1" });
        assert.equal(onDemand.inputs.mixedInstancesPolicy, undefined);

        const spot = { enabled: true, onDemandBaseCapacity: 1, onDemandPercentageAboveBase: 25, instanceTypes: ["t4g.medium"] };
        const plan = await render(() => launched("web", args({ spot })));
        const group = only(plan, "aws:autoscaling/group:Group");
        const lt = only(plan, "aws:ec2/launchTemplate:LaunchTemplate");
        const policy = group.inputs.mixedInstancesPolicy as any;
        assert.equal(group.inputs.launchTemplate, undefined);
        assert.deepEqual(policy.launchTemplate.launchTemplateSpecification, { launchTemplateId: lt.id, version: "1" });
        assert.deepEqual(
            policy.launchTemplate.overrides.map((o: any) => o.instanceType),
            ["t4g.small", "t4g.medium"],
        );
        assert.deepEqual(policy.instancesDistribution, {
            onDemandBaseCapacity: 1,
            onDemandPercentageAboveBaseCapacity: 25,
            onDemandAllocationStrategy: "prioritized",
            spotAllocationStrategy: "price-capacity-optimized",
        });
        assert.equal(group.inputs.capacityRebalance, true);
    });

    it("launches the fleet after what its instances read at boot: the given dependencies, the role's own policy and the fleet's rules", async () => {
        const plan = await render(() => {
            const settings = new aws.ssm.Parameter("setting", { type: "String", insecureValue: "x" });
            new WebCluster("web", args()).launchFleet([settings]);
        });
        const waitsFor = only(plan, "aws:autoscaling/group:Group").dependencies;
        const urn = (type: string, name: string) => only(plan, type, name).urn;
        for (const [type, name] of [
            ["aws:ssm/parameter:Parameter", "setting"],
            ["aws:iam/rolePolicy:RolePolicy", "web-instance-role-policy"],
            ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "web-fleet-to-https"],
            ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "web-fleet-from-alb"],
        ])
            assert.ok(waitsFor.includes(urn(type, name)), name);
        const withoutLaunch = await render(() => new WebCluster("web", args()));
        assert.deepEqual(all(withoutLaunch, "aws:autoscaling/group:Group"), [], "no instances before launchFleet");
    });

    it("names every child after the component, so two clusters never collide", async () => {
        const plan = await render(() => ["blue", "green"].forEach((name) => launched(name, args({ parameterPath: `/platform/test/${name}/` }))));
        const names = plan.resources.filter((r) => r.custom).map((r) => `${r.type}::${r.name}`);
        assert.equal(new Set(names).size, names.length);
        for (const r of plan.resources.filter((x) => x.custom)) assert.match(r.name, /^(blue|green)-/, r.name);
    });
});

describe("web user data", () => {
    const script = webUserData({
        region: "us-east-1",
        bucket: "web-artifacts-abc1234",
        key: `web/${service.sha256}.js`,
        sha256: service.sha256,
        appPort: 8080,
        livenessPath: "/live",
        healthPath: "/health",
        parameterPath: "/platform/dev/web/",
        logGroupName: "/platform/dev/web",
    });

    it("is a valid bash script", () => {
        const r = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
    });

    it("installs Node.js 22, checks the bundle's hash and runs it under systemd as an unprivileged user", () => {
        assert.match(script, /^dnf install -y nodejs22 /m);
        assert.match(script, /sha256sum --check/);
        assert.match(script, /^User=web$/m);
        assert.match(script, /^ExecStart=\/usr\/bin\/node-22 \/opt\/web\/server\.js$/m);
        assert.match(script, /^Environment=SSM_PATH=\/platform\/dev\/web\/$/m);
        assert.match(script, /^Environment=PORT=8080$/m);
        assert.match(script, /^NoNewPrivileges=yes$/m);
        assert.match(script, /systemctl enable --now web\.service/);
    });

    it("rejects values that could break out of the script", () => {
        assert.throws(
            () =>
                webUserData({
                    region: "us-east-1",
                    bucket: "b; rm -rf /",
                    key: "k",
                    sha256: service.sha256,
                    appPort: 8080,
                    livenessPath: "/live",
                    healthPath: "/health",
                    parameterPath: "/p/",
                    logGroupName: "/g",
                }),
            /bucket .* has characters/,
        );
        assert.throws(
            () =>
                webUserData({
                    region: "us-east-1",
                    bucket: "b",
                    key: "k",
                    sha256: "abc",
                    appPort: 8080,
                    livenessPath: "/live",
                    healthPath: "/health",
                    parameterPath: "/p/",
                    logGroupName: "/g",
                }),
            /not a hex SHA-256/,
        );
    });
});
