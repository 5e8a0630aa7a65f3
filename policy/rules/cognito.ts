/** Cognito rules: password policy, MFA, identity pools, user existence, threat protection. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { isProd } from "../lib";
import type { PlatformPolicy } from "../types";

export const cognitoPolicies: PlatformPolicy[] = [
    {
        name: "cognito-password-policy",
        description:
            "Cognito user pools require passwords of at least 8 characters with upper and lower case, numbers and symbols (AWS's default when no policy is given).",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPool, (p, _a, report) => {
            const policy = p.passwordPolicy;
            if (!policy) return;
            if (!((policy.minimumLength ?? 8) >= 8)) report(`accepts passwords of ${policy.minimumLength} characters; require at least 8`);
            const missing = (["requireUppercase", "requireLowercase", "requireNumbers", "requireSymbols"] as const).filter((k) => policy[k] !== true);
            if (missing.length > 0) report(`password policy doesn't set ${missing.join(", ")}`);
        }),
    },
    {
        name: "cognito-mfa-prod",
        description: "In prod, Cognito user pools require MFA.",
        enforcementLevel: "mandatory",
        environmentAware: true,
        validateResource: validateResourceOfType(aws.cognito.UserPool, (p, args, report) => {
            if (isProd(args) && p.mfaConfiguration !== "ON") report(`has MFA ${p.mfaConfiguration ?? "OFF"} in prod; require it (ON)`);
        }),
    },
    {
        name: "cognito-no-unauthenticated-identities",
        description: "Cognito identity pools issue no credentials to unauthenticated identities.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.IdentityPool, (p, _a, report) => {
            if (p.allowUnauthenticatedIdentities === true) report("hands AWS credentials to unauthenticated identities");
        }),
    },
    {
        name: "cognito-client-hides-user-existence",
        description: "Cognito app clients don't reveal whether a user exists (preventUserExistenceErrors ENABLED).",
        enforcementLevel: "advisory",
        validateResource: validateResourceOfType(aws.cognito.UserPoolClient, (p, _a, report) => {
            if (p.preventUserExistenceErrors !== "ENABLED") report("reveals whether a user exists through its sign-in errors");
        }),
    },
    {
        name: "cognito-mfa-factor-configured",
        description: "A user pool with MFA ON or OPTIONAL enables a factor (authenticator apps, SMS or email); AWS rejects MFA without one.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPool, (p, _a, report) => {
            if (p.mfaConfiguration !== "ON" && p.mfaConfiguration !== "OPTIONAL") return;
            const factor = p.softwareTokenMfaConfiguration?.enabled === true || Boolean(p.smsConfiguration) || Boolean(p.emailMfaConfiguration);
            if (!factor) report(`has MFA ${p.mfaConfiguration} but no factor enabled; enable softwareTokenMfaConfiguration (authenticator apps)`);
        }),
    },
    {
        name: "cognito-threat-protection-plan",
        description:
            "Cognito threat protection (advancedSecurityMode AUDIT or ENFORCED) is set only on a user pool of the Plus feature plan, the only plan that offers it.",
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.cognito.UserPool, (p, _a, report) => {
            const mode = p.userPoolAddOns?.advancedSecurityMode;
            if ((mode === "AUDIT" || mode === "ENFORCED") && p.userPoolTier !== "PLUS")
                report(`sets threat protection ${mode} on the ${p.userPoolTier ?? "ESSENTIALS"} plan; it needs userPoolTier PLUS`);
        }),
    },
];
