import { expectViolations, resource } from "../helpers/policy";

const userPool = (name: string, inputs: Record<string, unknown>) => resource("aws:cognito/userPool:UserPool", name, inputs);

describe("Cognito policies", () => {
    describe("cognito-password-policy", () => {
        it("passes a strong policy (or AWS's default) and flags a weak one", async () => {
            const strong = resource("aws:cognito/userPool:UserPool", "strong", {
                passwordPolicy: { minimumLength: 12, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSymbols: true },
            });
            const dflt = resource("aws:cognito/userPool:UserPool", "default", {});
            const weak = resource("aws:cognito/userPool:UserPool", "weak", { passwordPolicy: { minimumLength: 6, requireLowercase: true } });
            await expectViolations("cognito-password-policy", [strong, dflt, weak], [weak]);
        });
    });

    describe("cognito-mfa-prod", () => {
        it("requires MFA ON in prod and allows OPTIONAL in dev", async () => {
            const optional = resource("aws:cognito/userPool:UserPool", "optional", { mfaConfiguration: "OPTIONAL" });
            const on = resource("aws:cognito/userPool:UserPool", "on", { mfaConfiguration: "ON" });
            await expectViolations("cognito-mfa-prod", [optional, on], [optional], { environment: "prod" });
            await expectViolations("cognito-mfa-prod", [optional, on], [], { environment: "dev" });
        });
    });

    describe("cognito-no-unauthenticated-identities", () => {
        it("passes an authenticated-only identity pool and flags guest access", async () => {
            const ok = resource("aws:cognito/identityPool:IdentityPool", "ok", { identityPoolName: "ok", allowUnauthenticatedIdentities: false });
            const bad = resource("aws:cognito/identityPool:IdentityPool", "bad", { identityPoolName: "bad", allowUnauthenticatedIdentities: true });
            await expectViolations("cognito-no-unauthenticated-identities", [ok, bad], [bad]);
        });
    });

    describe("cognito-client-hides-user-existence", () => {
        it("passes ENABLED and notes LEGACY", async () => {
            const ok = resource("aws:cognito/userPoolClient:UserPoolClient", "ok", { userPoolId: "p", preventUserExistenceErrors: "ENABLED" });
            const bad = resource("aws:cognito/userPoolClient:UserPoolClient", "bad", { userPoolId: "p", preventUserExistenceErrors: "LEGACY" });
            await expectViolations("cognito-client-hides-user-existence", [ok, bad], [bad]);
        });
    });

    describe("cognito-mfa-factor-configured", () => {
        it("passes MFA with authenticator apps and flags MFA without a factor", async () => {
            const ok = userPool("ok", { mfaConfiguration: "ON", softwareTokenMfaConfiguration: { enabled: true } });
            const off = userPool("off", { mfaConfiguration: "OFF" });
            const bad = userPool("bad", { mfaConfiguration: "OPTIONAL" });
            await expectViolations("cognito-mfa-factor-configured", [ok, off, bad], [bad]);
        });
    });

    describe("cognito-threat-protection-plan", () => {
        it("passes threat protection on the Plus plan and flags it on Essentials", async () => {
            const ok = userPool("ok", { userPoolTier: "PLUS", userPoolAddOns: { advancedSecurityMode: "ENFORCED" } });
            const bad = userPool("bad", { userPoolAddOns: { advancedSecurityMode: "AUDIT" } });
            await expectViolations("cognito-threat-protection-plan", [ok, bad], [bad]);
        });
    });

    describe("cognito-mfa-factor-configured", () => {
        it("passes MFA with authenticator apps (and MFA OFF); flags MFA ON without a factor", async () => {
            const ok = resource("aws:cognito/userPool:UserPool", "ok", { mfaConfiguration: "ON", softwareTokenMfaConfiguration: { enabled: true } });
            const off = resource("aws:cognito/userPool:UserPool", "off", { mfaConfiguration: "OFF" });
            const bare = resource("aws:cognito/userPool:UserPool", "bare", { mfaConfiguration: "OPTIONAL" });
            await expectViolations("cognito-mfa-factor-configured", [ok, off, bare], [bare]);
        });
    });

    describe("cognito-threat-protection-plan", () => {
        it("passes threat protection on Plus; flags it on Essentials", async () => {
            const plus = resource("aws:cognito/userPool:UserPool", "plus", { userPoolTier: "PLUS", userPoolAddOns: { advancedSecurityMode: "ENFORCED" } });
            const essentials = resource("aws:cognito/userPool:UserPool", "essentials", {
                userPoolTier: "ESSENTIALS",
                userPoolAddOns: { advancedSecurityMode: "AUDIT" },
            });
            const none = resource("aws:cognito/userPool:UserPool", "none", { userPoolTier: "ESSENTIALS" });
            await expectViolations("cognito-threat-protection-plan", [plus, essentials, none], [essentials]);
        });
    });
});
