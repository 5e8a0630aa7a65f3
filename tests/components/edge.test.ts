import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { defaults } from "../../config/sections/edge";
import { Edge, OriginSecret, type EdgeArgs } from "../../components/edge";
import type { Plan } from "../../tools/engine";
import { render, testContext } from "../helpers/component";
import { omit } from "../helpers/object";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/6b1d2e7a-93c4-4f0e-8a55-2c7e9d3f1a08";
const edgeDefaults = omit(defaults.dev, "strangler", "logRetentionDays");

function edge(name: string, overrides: Partial<EdgeArgs> = {}) {
    const usEast1 = new aws.Provider(`${name}-use1`, { region: "us-east-1" });
    return new Edge(name, {
        ...edgeDefaults,
        albDnsName: "web-alb-1.eu-west-1.elb.amazonaws.com",
        originHttps: false,
        originHeader: { name: "X-Origin-Verify", value: "s3cr3t" },
        context: testContext({
            region: "eu-west-1",
            kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-4333-a444-555555555555",
            accountId: "123456789012",
        }),
        usEast1,
        ...overrides,
    });
}

const all = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);
const distribution = (plan: Plan) => all(plan, "aws:cloudfront/distribution:Distribution")[0].inputs as any;

describe("Edge component", () => {
    it("with a certificate: the aliases, SNI and the configured TLS 1.2+ policy; HTTPS to an origin with a certificate", async () => {
        const plan = await render(
            () => edge("edge", { certificateArn: CERT, aliases: ["www.example.com"], minimumProtocolVersion: "TLSv1.2_2025", originHttps: true }),
            { region: "eu-west-1" },
        );
        const d = distribution(plan);
        assert.deepEqual(d.viewerCertificate, { acmCertificateArn: CERT, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2025" });
        assert.deepEqual(d.aliases, ["www.example.com"]);
        assert.equal(d.origins[0].customOriginConfig.originProtocolPolicy, "https-only");
    });

    it("without WAF creates no web ACL; with it, the ACL goes through the us-east-1 provider", async () => {
        const off = await render(() => edge("edge", { waf: false }), { region: "eu-west-1" });
        assert.deepEqual(all(off, "aws:wafv2/webAcl:WebAcl"), []);
        assert.equal(distribution(off).webAclId, undefined);
        const on = await render(() => edge("edge", { waf: true }), { region: "eu-west-1" });
        const [acl] = all(on, "aws:wafv2/webAcl:WebAcl");
        const provider = on.resources.find((r) => r.urn === acl.options.provider)!;
        assert.equal(provider.inputs.region, "us-east-1");
        assert.equal(distribution(on).webAclId, acl.outputs.arn);
    });

    it("the log delivery is configured in us-east-1, the log bucket stays in the home region", async () => {
        const plan = await render(() => edge("edge"), { region: "eu-west-1" });
        for (const type of [
            "aws:cloudwatch/logDeliverySource:LogDeliverySource",
            "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
            "aws:cloudwatch/logDelivery:LogDelivery",
        ]) {
            const [r] = all(plan, type);
            assert.equal(plan.resources.find((p) => p.urn === r.options.provider)!.inputs.region, "us-east-1", type);
        }
        const logs = all(plan, "aws:s3/bucket:Bucket").find((b) => b.name === "edge-logs")!;
        assert.equal(logs.options.provider, undefined, "the bucket uses the home (default) provider");
    });

    it("names every child after the component, and account-wide names after the stack too", async () => {
        const plan = await render(() => ["blue", "green"].forEach((n) => edge(n)));
        const custom = plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers"));
        for (const r of custom) assert.match(r.name, /^(blue|green)-/, r.name);
        const names = all(plan, "aws:cloudfront/cachePolicy:CachePolicy").map((p) => p.inputs.name);
        assert.deepEqual(names.sort(), [
            "platform-test-blue-dynamic",
            "platform-test-blue-static",
            "platform-test-green-dynamic",
            "platform-test-green-static",
        ]);
    });
});

describe("OriginSecret", () => {
    it("is 48 letters and digits (no * or ?, which an ALB header condition reads as wildcards), held as a secret", async () => {
        let header: OriginSecret["header"] | undefined;
        const plan = await render(() => {
            header = new OriginSecret("origin").header;
        });
        const [password] = all(plan, "random:index/randomPassword:RandomPassword");
        assert.deepEqual([password.inputs.length, password.inputs.special], [48, false]);
        assert.equal(header!.name, "X-Origin-Verify");
    });
});
