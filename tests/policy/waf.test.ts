import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";
import { albOriginDistribution, euOriginDistribution, euProvider, inEu } from "./edge-resources";

describe("WAF policies", () => {
    describe("waf-managed-and-rate-rules", () => {
        const managed = {
            name: "common",
            priority: 1,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } },
            visibilityConfig: {},
        };
        const rate = {
            name: "rate",
            priority: 2,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP" } },
            visibilityConfig: {},
        };
        it("passes managed rules plus a rate rule (as rules or ruleJson) and flags a missing rate rule", async () => {
            const ok = resource("aws:wafv2/webAcl:WebAcl", "ok", {
                scope: "CLOUDFRONT",
                defaultAction: { allow: {} },
                visibilityConfig: {},
                rules: [managed, rate],
            });
            const json = resource("aws:wafv2/webAcl:WebAcl", "json", {
                scope: "CLOUDFRONT",
                defaultAction: { allow: {} },
                visibilityConfig: {},
                ruleJson: JSON.stringify([
                    { Name: "m", Statement: { ManagedRuleGroupStatement: {} } },
                    { Name: "r", Statement: { RateBasedStatement: { Limit: 100 } } },
                ]),
            });
            const noRate = resource("aws:wafv2/webAcl:WebAcl", "no-rate", {
                scope: "CLOUDFRONT",
                defaultAction: { allow: {} },
                visibilityConfig: {},
                rules: [managed],
            });
            await expectViolations("waf-managed-and-rate-rules", [ok, json, noRate], [noRate]);
        });
    });

    describe("waf-cloudfront-scope-us-east-1", () => {
        it("passes a CLOUDFRONT web ACL in us-east-1 and flags one elsewhere, and a distribution naming a regional ACL", async () => {
            const acl = (name: string, inputs: Record<string, unknown> = {}) =>
                resource("aws:wafv2/webAcl:WebAcl", name, { scope: "CLOUDFRONT", defaultAction: { allow: {} }, visibilityConfig: {}, ...inputs });
            const ok = acl("ok");
            const elsewhere = acl("elsewhere", { region: "eu-west-1" });
            const regional = albOriginDistribution("regional", { webAclId: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/1" });
            const global = albOriginDistribution("global", { webAclId: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1" });
            await expectViolations("waf-cloudfront-scope-us-east-1", [ok, elsewhere, regional, global], [elsewhere, regional]);
        });
    });

    describe("waf-cloudfront-scope-us-east-1", () => {
        const acl = (name: string, scope: string, extra = {}) =>
            resource("aws:wafv2/webAcl:WebAcl", name, { scope, defaultAction: { allow: {} }, visibilityConfig: {} }, extra);
        it("passes a CLOUDFRONT ACL through a us-east-1 provider (or a regional one anywhere); flags one made elsewhere", async () => {
            const ok = acl("ok", "CLOUDFRONT");
            const regional = acl("regional", "REGIONAL", inEu);
            const misplaced = acl("misplaced", "CLOUDFRONT", inEu);
            const perResource = acl("per-resource", "CLOUDFRONT");
            perResource.inputs.region = "eu-west-2";
            const v = await expectViolations("waf-cloudfront-scope-us-east-1", [euProvider, ok, regional, misplaced, perResource], [misplaced, perResource]);
            assert.match(v.find((x) => x.urn === misplaced.urn)!.message, /created in eu-west-1; CloudFront web ACLs exist only in us-east-1/);
        });
        it("flags a distribution naming a regional web ACL", async () => {
            const global = euOriginDistribution("global", { webAclId: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1" });
            const regional = euOriginDistribution("regional", { webAclId: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/1" });
            await expectViolations("waf-cloudfront-scope-us-east-1", [global, regional], [regional]);
        });
    });
});
