/** WAF rules: managed and rate-based rules, CloudFront web ACLs' scope and region. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { asList, at, json } from "../lib";
import { regionOf } from "../shared";
import type { PlatformPolicy } from "../types";

/** A WAFv2 rule's statement, from `rules` or the JSON form `ruleJson`. */
function ruleStatements(p: { rules?: unknown[]; ruleJson?: string }): { managed: boolean; rate: boolean }[] {
    const fromJson = asList(json(p.ruleJson)).map((r) => ({
        managed: Boolean(at(r, "Statement.ManagedRuleGroupStatement")),
        rate: Boolean(at(r, "Statement.RateBasedStatement")),
    }));
    const fromRules = (p.rules ?? []).map((r) => ({
        managed: Boolean(at(r, "statement.managedRuleGroupStatement")),
        rate: Boolean(at(r, "statement.rateBasedStatement")),
    }));
    return [...fromRules, ...fromJson];
}

export const wafPolicies: PlatformPolicy[] = [
    {
        name: "waf-managed-and-rate-rules",
        description: "WAF web ACLs include at least one AWS managed rule group and a rate-based rule.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.wafv2.WebAcl, (p, _a, report) => {
            const statements = ruleStatements(p);
            if (!statements.some((s) => s.managed)) report("has no managed rule group (e.g. AWSManagedRulesCommonRuleSet)");
            if (!statements.some((s) => s.rate)) report("has no rate-based rule, so nothing throttles a flood from one address");
        }),
    },
    {
        name: "waf-cloudfront-scope-us-east-1",
        description: "A web ACL for CloudFront has scope CLOUDFRONT and is created in us-east-1; a distribution names only such a (global) web ACL.",
        enforcementLevel: "mandatory",
        validateResource: [
            validateResourceOfType(aws.wafv2.WebAcl, (p, args, report) => {
                if (p.scope !== "CLOUDFRONT") return;
                const region = regionOf(p, args.provider);
                if (region !== undefined && region !== "us-east-1")
                    report(`has scope CLOUDFRONT but is created in ${region}; CloudFront web ACLs exist only in us-east-1 (use a us-east-1 provider)`);
            }),
            validateResourceOfType(aws.cloudfront.Distribution, (p, _a, report) => {
                const acl = p.webAclId;
                if (typeof acl === "string" && acl.startsWith("arn:") && /:regional\/webacl\//.test(acl))
                    report("names a REGIONAL web ACL; CloudFront takes only web ACLs of scope CLOUDFRONT");
            }),
        ],
    },
];
