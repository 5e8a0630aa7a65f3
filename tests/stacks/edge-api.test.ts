import { strict as assert } from "assert";
import { validateConfig, type PlatformConfig } from "../../config";
import { API_ROUTES } from "../../config/sections/api";
import { ORIGIN_HEADER_NAME } from "../../components/edge";
import type { Plan } from "../../tools/engine";
import { readStackSettings } from "../../lib/stack-settings";
import { routeRequest } from "../helpers/alb";
import { cli, doc, ofType, one, planOf, PROJECT_DIR, stackFile, type PlanWithPolicy } from "../helpers/plan";

/** The CloudFront origin-facing prefix list's id, as the (mocked) lookup returns it. */
const CLOUDFRONT_PREFIX_LIST_ID = "pl-3b927c52";

const configOf = (stack: string): PlatformConfig => validateConfig(readStackSettings(PROJECT_DIR, stack).config, stack);

/** Shared views of a plan. */
function views(plan: () => Plan) {
    const byUrn = (urn: string) => plan().resources.find((r) => r.urn === urn)!;
    return {
        byUrn,
        distribution: () => one(plan(), "aws:cloudfront/distribution:Distribution", "edge-"),
        stage: () => one(plan(), "aws:apigatewayv2/stage:Stage", "api-"),
        listener: () => {
            const ls = ofType(plan(), "aws:lb/listener:Listener").filter((l) => l.name.startsWith("web-"));
            assert.equal(ls.length, 1, `one listener serves (${ls.map((l) => l.name).join(", ")})`);
            return ls[0];
        },
        legacyTg: () => one(plan(), "aws:lb/targetGroup:TargetGroup", "web-tg"),
        newTg: () => one(plan(), "aws:lb/targetGroup:TargetGroup", "strangler-tg"),
        /** The origin header value exactly as the distribution sends it. */
        originHeader: () => {
            const alb = (views(plan).distribution().inputs.origins as any[]).find((o) => o.originId === "alb");
            const h = alb.customHeaders.find((x: any) => x.name === ORIGIN_HEADER_NAME);
            return { [h.name]: h.value as string };
        },
    };
}

for (const stack of ["dev", "prod"]) {
    describe(`${stack} edge and API`, () => {
        const plan = (): PlanWithPolicy => planOf(stack);
        const config = () => configOf(stack);
        const v = views(plan);

        describe("API Gateway and Cognito", () => {
            it("every route has the Cognito JWT authorizer, except GET /health, which is public on purpose", () => {
                const routes = ofType(plan(), "aws:apigatewayv2/route:Route");
                const authorizer = one(plan(), "aws:apigatewayv2/authorizer:Authorizer");
                assert.deepEqual(routes.map((r) => r.inputs.routeKey).sort(), Object.values(API_ROUTES).sort());
                for (const r of routes) {
                    if (r.inputs.routeKey === API_ROUTES.health) {
                        assert.equal(r.inputs.authorizationType, "NONE");
                        assert.equal(r.inputs.authorizerId, undefined);
                    } else {
                        assert.equal(r.inputs.authorizationType, "JWT", `${r.inputs.routeKey}`);
                        assert.equal(r.inputs.authorizerId, authorizer.id, `${r.inputs.routeKey}`);
                    }
                }
                const pool = one(plan(), "aws:cognito/userPool:UserPool");
                const client = one(plan(), "aws:cognito/userPoolClient:UserPoolClient");
                assert.equal(authorizer.inputs.authorizerType, "JWT");
                assert.deepEqual(authorizer.inputs.identitySources, ["$request.header.Authorization"]);
                assert.deepEqual(authorizer.inputs.jwtConfiguration, { issuer: `https://${pool.outputs.endpoint}`, audiences: [client.id] });
            });

            it("throttling comes from config: the stage default and each route's override", () => {
                const api = config().api;
                const stage = v.stage().inputs as any;
                assert.equal(stage.defaultRouteSettings.throttlingRateLimit, api.throttleRateLimit);
                assert.equal(stage.defaultRouteSettings.throttlingBurstLimit, api.throttleBurstLimit);
                assert.deepEqual(
                    stage.routeSettings.map((s: any) => [s.routeKey, s.throttlingRateLimit, s.throttlingBurstLimit]),
                    Object.entries(api.routeThrottling).map(([k, t]) => [k, t.rateLimit, t.burstLimit]),
                );
                assert.ok(v.stage().options.dependsOn.length >= 2, "the stage waits for the routes its settings name");
            });

            it("writes JSON access logs to an encrypted log group with the configured retention", () => {
                const group = one(plan(), "aws:cloudwatch/logGroup:LogGroup", "api-access-logs");
                const settings = (v.stage().inputs as any).accessLogSettings;
                assert.equal(settings.destinationArn, group.outputs.arn);
                const format = JSON.parse(settings.format);
                assert.equal(format.requestId, "$context.requestId");
                assert.equal(format.status, "$context.status");
                assert.equal(group.inputs.retentionInDays, config().api.logRetentionDays);
                assert.equal(group.inputs.kmsKeyId, one(plan(), "aws:kms/key:Key").outputs.arn);
            });

            it(`the user pool: strong passwords, MFA ${stack === "prod" ? "required" : "optional"} with authenticator apps, no self sign-up, no identity pool`, () => {
                const pool = one(plan(), "aws:cognito/userPool:UserPool").inputs as any;
                assert.deepEqual(pool.passwordPolicy, {
                    minimumLength: config().api.passwordMinimumLength,
                    requireLowercase: true,
                    requireUppercase: true,
                    requireNumbers: true,
                    requireSymbols: true,
                    temporaryPasswordValidityDays: 3,
                    passwordHistorySize: config().api.passwordHistorySize,
                });
                assert.ok(pool.passwordPolicy.minimumLength >= 12);
                assert.equal(pool.mfaConfiguration, stack === "prod" ? "ON" : "OPTIONAL");
                assert.deepEqual(pool.softwareTokenMfaConfiguration, { enabled: true });
                assert.deepEqual(pool.adminCreateUserConfig, { allowAdminCreateUserOnly: true });
                assert.equal(pool.userPoolTier, stack === "prod" ? "PLUS" : "ESSENTIALS");
                assert.deepEqual(pool.userPoolAddOns, stack === "prod" ? { advancedSecurityMode: "ENFORCED" } : undefined);
                assert.equal(pool.deletionProtection, stack === "prod" ? "ACTIVE" : "INACTIVE");
                assert.equal(one(plan(), "aws:cognito/userPool:UserPool").options.protect, stack === "prod");
                // No identity pool: nobody, authenticated or not, is handed AWS credentials.
                assert.deepEqual(ofType(plan(), "aws:cognito/identityPool:IdentityPool"), []);
                const client = one(plan(), "aws:cognito/userPoolClient:UserPoolClient").inputs as any;
                assert.deepEqual([client.generateSecret, client.preventUserExistenceErrors, client.enableTokenRevocation], [false, "ENABLED", true]);
                assert.deepEqual(client.explicitAuthFlows, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
            });

            it("each handler may be invoked by its own route only, and reads the table without writing it", () => {
                const api = one(plan(), "aws:apigatewayv2/api:Api");
                const permissions = ofType(plan(), "aws:lambda/permission:Permission").filter((p) => p.inputs.principal === "apigateway.amazonaws.com");
                assert.deepEqual(permissions.map((p) => p.inputs.sourceArn).sort(), [
                    `${api.outputs.executionArn}/*/GET/health`,
                    `${api.outputs.executionArn}/*/GET/overview`,
                ]);
                const overview = one(plan(), "aws:lambda/function:Function", "api-get-overview");
                const role = plan().resources.find((r) => r.type === "aws:iam/role:Role" && r.outputs.arn === overview.inputs.role)!;
                const statements = ofType(plan(), "aws:iam/rolePolicy:RolePolicy")
                    .filter((p) => p.inputs.role === role.outputs.name)
                    .flatMap((p) => doc(p.inputs.policy).Statement);
                const table = one(plan(), "aws:dynamodb/table:Table");
                assert.deepEqual(
                    statements.filter((s) => String(s.Action).startsWith("dynamodb:")).map((s) => [s.Action, s.Resource]),
                    [["dynamodb:Query", table.outputs.arn]],
                );
                const env = (overview.inputs.environment as any).variables;
                assert.equal(env.WEB_URL, `${plan().outputs.url}/`, "the aggregator reaches the web service through CloudFront");
                assert.equal(env.SOURCE_TIMEOUT_MS, String(config().api.aggregatorTimeoutMs));
                assert.equal(env.BREAKER_FAILURE_THRESHOLD, String(config().api.circuitBreaker.failureThreshold));
            });

            it("lets browsers call it from the site's origins only", () => {
                const cors = (one(plan(), "aws:apigatewayv2/api:Api").inputs as any).corsConfiguration;
                const origins = new Set([plan().outputs.url, `https://${v.distribution().outputs.domainName}`]);
                assert.deepEqual(cors.allowOrigins, [...origins]);
            });
        });

        describe("CloudFront", () => {
            it("redirects viewers to HTTPS on every cache behaviour", () => {
                const d = v.distribution().inputs as any;
                const behaviours = [d.defaultCacheBehavior, ...d.orderedCacheBehaviors];
                const containerPaths = Object.values(config().containers.services).filter((svc) => svc.public).length;
                assert.equal(behaviours.length, 1 + containerPaths + config().edge.staticPathPatterns.length);
                for (const b of behaviours) assert.equal(b.viewerProtocolPolicy, "redirect-to-https", b.pathPattern ?? "default");
            });

            if (stack === "prod") {
                it("uses the us-east-1 ACM certificate with the TLSv1.2_2021 security policy, for the aliases", () => {
                    const d = v.distribution().inputs as any;
                    assert.deepEqual(d.viewerCertificate, {
                        acmCertificateArn: config().edge.certificateArn,
                        sslSupportMethod: "sni-only",
                        minimumProtocolVersion: "TLSv1.2_2021",
                    });
                    assert.match(d.viewerCertificate.acmCertificateArn, /^arn:aws:acm:us-east-1:/);
                    assert.deepEqual(d.aliases, config().edge.aliases);
                    assert.equal(plan().outputs.url, `https://${config().edge.aliases[0]}`);
                });
            } else {
                it("without a certificate serves *.cloudfront.net, stating the TLSv1 floor AWS fixes for it (set edge.certificateArn for TLS 1.2)", () => {
                    const d = v.distribution().inputs as any;
                    assert.deepEqual(d.viewerCertificate, { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1" });
                    assert.equal(plan().outputs.url, `https://${v.distribution().outputs.domainName}`);
                });
            }

            it(`reaches the load balancer over ${stack === "prod" ? "HTTPS (TLS 1.2)" : "HTTP (no certificate in dev)"}, with the secret origin header`, () => {
                const alb = (v.distribution().inputs.origins as any[]).find((o) => o.originId === "alb");
                assert.equal(alb.domainName, one(plan(), "aws:lb/loadBalancer:LoadBalancer", "web-").outputs.dnsName);
                assert.equal(alb.customOriginConfig.originProtocolPolicy, stack === "prod" ? "https-only" : "http-only");
                assert.deepEqual(alb.customOriginConfig.originSslProtocols, ["TLSv1.2"]);
                assert.deepEqual(alb.customHeaders, [{ name: ORIGIN_HEADER_NAME, value: "[secret]" }]);
            });

            it("serves static paths from the private bucket through OAC; the bucket admits only this distribution", () => {
                const d = v.distribution();
                const assets = one(plan(), "aws:s3/bucket:Bucket", "edge-assets");
                const oac = one(plan(), "aws:cloudfront/originAccessControl:OriginAccessControl");
                const origin = (d.inputs.origins as any[]).find((o) => o.originId === "assets");
                assert.deepEqual(origin, { originId: "assets", domainName: assets.outputs.bucketRegionalDomainName, originAccessControlId: oac.id });
                assert.deepEqual([oac.inputs.originAccessControlOriginType, oac.inputs.signingBehavior, oac.inputs.signingProtocol], ["s3", "always", "sigv4"]);
                const policy = ofType(plan(), "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === assets.id)!;
                const read = doc(policy.inputs.policy).Statement.find((s) => s.Sid === "ThisDistributionReadsAssets");
                assert.deepEqual(read, {
                    Effect: "Allow",
                    Sid: "ThisDistributionReadsAssets",
                    Principal: { Service: "cloudfront.amazonaws.com" },
                    Action: "s3:GetObject",
                    Resource: `${assets.outputs.arn}/*`,
                    Condition: { StringEquals: { "AWS:SourceArn": d.outputs.arn } },
                });
                const sse = ofType(plan(), "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find(
                    (x) => x.inputs.bucket === assets.id,
                )!;
                assert.equal((sse.inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, one(plan(), "aws:kms/key:Key").outputs.arn);
                const key = doc(one(plan(), "aws:kms/key:Key").inputs.policy).Statement.find((s) => s.Sid === "ServicesEncrypt");
                assert.ok(key.Principal.Service.includes("cloudfront.amazonaws.com"), "CloudFront may decrypt the assets");
            });

            it("caches static paths with the configured TTLs and never caches dynamic ones, forwarding everything to the origin", () => {
                const d = v.distribution().inputs as any;
                const policy = (id: string) => plan().resources.find((r) => r.type === "aws:cloudfront/cachePolicy:CachePolicy" && r.id === id)!.inputs as any;
                // The public container services' paths come first, to the load balancer like the default (tests/stacks/containers.test.ts).
                const staticBehaviours = d.orderedCacheBehaviors.filter((b: any) => b.targetOriginId === "assets");
                for (const b of d.orderedCacheBehaviors.filter((x: any) => x.targetOriginId === "alb"))
                    assert.equal(b.cachePolicyId, d.defaultCacheBehavior.cachePolicyId, b.pathPattern);
                const staticPolicy = policy(staticBehaviours[0].cachePolicyId);
                const dynamicPolicy = policy(d.defaultCacheBehavior.cachePolicyId);
                assert.notEqual(staticBehaviours[0].cachePolicyId, d.defaultCacheBehavior.cachePolicyId);
                assert.deepEqual(
                    staticBehaviours.map((b: any) => [b.pathPattern, b.targetOriginId]),
                    config().edge.staticPathPatterns.map((p) => [p, "assets"]),
                );
                assert.deepEqual([staticPolicy.defaultTtl, staticPolicy.maxTtl], [config().edge.staticDefaultTtlSeconds, config().edge.staticMaxTtlSeconds]);
                assert.deepEqual([dynamicPolicy.minTtl, dynamicPolicy.defaultTtl, dynamicPolicy.maxTtl], [0, 0, 0]);
                assert.equal(d.defaultCacheBehavior.targetOriginId, "alb");
                const forward = plan().resources.find(
                    (r) => r.type === "aws:cloudfront/originRequestPolicy:OriginRequestPolicy" && r.id === d.defaultCacheBehavior.originRequestPolicyId,
                )!.inputs as any;
                assert.deepEqual(
                    [forward.headersConfig.headerBehavior, forward.cookiesConfig.cookieBehavior, forward.queryStringsConfig.queryStringBehavior],
                    ["allViewer", "all", "all"],
                );
            });

            it(
                stack === "prod"
                    ? "is protected by a us-east-1, CLOUDFRONT-scoped web ACL: AWS managed rule groups and the configured rate limit"
                    : "skips WAF in dev (platform:edge.waf false)",
                () => {
                    const acls = ofType(plan(), "aws:wafv2/webAcl:WebAcl");
                    if (stack !== "prod") {
                        assert.deepEqual(acls, []);
                        assert.equal(v.distribution().inputs.webAclId, undefined);
                        return;
                    }
                    const [acl] = acls;
                    assert.equal(acl.inputs.scope, "CLOUDFRONT");
                    const provider = v.byUrn(acl.options.provider!);
                    assert.equal(provider.inputs.region, "us-east-1");
                    assert.deepEqual(
                        JSON.parse(String(provider.inputs.defaultTags)),
                        JSON.parse(String(v.byUrn(one(plan(), "aws:kms/key:Key").options.provider!).inputs.defaultTags)),
                        "the same tags as the home provider",
                    );
                    const rules = acl.inputs.rules as any[];
                    assert.deepEqual(
                        rules
                            .filter((r) => r.statement.managedRuleGroupStatement)
                            .map((r) => r.statement.managedRuleGroupStatement.name)
                            .sort(),
                        ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"],
                    );
                    const rate = rules.find((r) => r.statement.rateBasedStatement).statement.rateBasedStatement;
                    assert.deepEqual(rate, { limit: config().edge.rateLimit, evaluationWindowSec: config().edge.rateWindowSeconds, aggregateKeyType: "IP" });
                    assert.deepEqual(rules.map((r) => r.priority).sort(), [0, 1, 2, 3]);
                    assert.equal(v.distribution().inputs.webAclId, acl.outputs.arn);
                },
            );

            it("writes standard logs (v2) from us-east-1 to the encrypted log bucket, which keeps ACLs disabled", () => {
                const source = one(plan(), "aws:cloudwatch/logDeliverySource:LogDeliverySource");
                const destination = one(plan(), "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination");
                const delivery = one(plan(), "aws:cloudwatch/logDelivery:LogDelivery");
                const logs = one(plan(), "aws:s3/bucket:Bucket", "edge-logs");
                assert.deepEqual([source.inputs.logType, source.inputs.resourceArn], ["ACCESS_LOGS", v.distribution().outputs.arn]);
                assert.equal((destination.inputs.deliveryDestinationConfiguration as any).destinationResourceArn, logs.outputs.arn);
                assert.deepEqual(
                    [delivery.inputs.deliverySourceName, delivery.inputs.deliveryDestinationArn],
                    [source.outputs.name ?? source.inputs.name, destination.outputs.arn],
                );
                for (const r of [source, destination, delivery]) assert.equal(v.byUrn(r.options.provider!).inputs.region, "us-east-1", r.name);
                const ownership = ofType(plan(), "aws:s3/bucketOwnershipControls:BucketOwnershipControls").find((o) => o.inputs.bucket === logs.id)!;
                assert.equal((ownership.inputs.rule as any).objectOwnership, "BucketOwnerEnforced");
                const write = doc(ofType(plan(), "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === logs.id)!.inputs.policy).Statement.find(
                    (s) => s.Sid === "LogDeliveryWrites",
                );
                assert.deepEqual(write.Principal, { Service: "delivery.logs.amazonaws.com" });
                assert.equal(write.Condition.ArnLike["aws:SourceArn"], "arn:aws:logs:us-east-1:123456789012:delivery-source:*");
                // AWS prefixes AWSLogs/<account>/ only when a delivery is created: a change to its path settings recreates it.
                assert.deepEqual([delivery.options.replaceOnChanges, delivery.options.deleteBeforeReplace], [["s3DeliveryConfigurations"], true]);
            });
        });

        describe("the load balancer behind CloudFront", () => {
            it("admits only CloudFront's origin-facing prefix list, on one port", () => {
                const albSg = one(plan(), "aws:ec2/securityGroup:SecurityGroup", "web-alb-sg");
                const ingress = ofType(plan(), "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
                    (r) => r.inputs.securityGroupId === albSg.id,
                );
                const port = stack === "prod" ? 443 : 80;
                assert.deepEqual(
                    ingress.map((r) => [
                        r.inputs.prefixListId,
                        r.inputs.cidrIpv4,
                        r.inputs.cidrIpv6,
                        r.inputs.referencedSecurityGroupId,
                        r.inputs.fromPort,
                        r.inputs.toPort,
                    ]),
                    [[CLOUDFRONT_PREFIX_LIST_ID, undefined, undefined, undefined, port, port]],
                );
            });

            it("forwards only requests carrying the distribution's origin secret; anything else gets 403", () => {
                const listener = v.listener();
                assert.deepEqual(
                    (listener.inputs.defaultActions as any[]).map((a) => [a.type, a.fixedResponse?.statusCode]),
                    [["fixed-response", "403"]],
                );
                assert.deepEqual(routeRequest(plan(), listener, { path: "/" }), { type: "fixed-response", status: "403", rule: "default" });
                assert.deepEqual(routeRequest(plan(), listener, { path: "/", headers: { [ORIGIN_HEADER_NAME]: "guess" } }).type, "fixed-response");
                const through = routeRequest(plan(), listener, { path: "/", headers: v.originHeader() });
                assert.equal(through.type, "forward");
                // The distribution and every forwarding rule take the header's value from the same generated secret.
                const secret = one(plan(), "random:index/randomPassword:RandomPassword", "origin-secret");
                assert.deepEqual([secret.inputs.length, secret.inputs.special], [48, false]);
                assert.ok(v.distribution().propertyDependencies.origins.includes(secret.urn));
                for (const rule of ofType(plan(), "aws:lb/listenerRule:ListenerRule").filter((r) => (r.inputs.actions as any[])[0].type === "forward")) {
                    assert.ok(rule.propertyDependencies.conditions.includes(secret.urn), rule.name);
                }
                assert.deepEqual(
                    Object.entries(plan().outputs).filter(([, x]) => x === "[secret]"),
                    [],
                    "the secret is never exported",
                );
            });

            it("answers the dependency report 404 whatever the header", () => {
                assert.deepEqual(routeRequest(plan(), v.listener(), { path: "/health", headers: v.originHeader() }), {
                    type: "fixed-response",
                    status: "404",
                    rule: "web-hide-health",
                });
            });
        });

        describe("strangler-fig routing", () => {
            it("sends the migrated paths to the new service; routes not yet migrated still reach the legacy target group", () => {
                const migrated = config().edge.strangler.migratedPaths;
                const headers = v.originHeader();
                const to = (path: string) => routeRequest(plan(), v.listener(), { path, headers });
                for (const path of ["/", "/orders/17", "/catalog", "/itemsx"]) {
                    assert.deepEqual((to(path) as any).targets, [{ arn: v.legacyTg().outputs.arn, weight: 1 }], path);
                }
                if (migrated.includes("/items/*")) assert.deepEqual((to("/items/42") as any).targets, [{ arn: v.newTg().outputs.arn, weight: 1 }]);
                else assert.deepEqual((to("/items/42") as any).targets, [{ arn: v.legacyTg().outputs.arn, weight: 1 }]);
            });

            it("the new service is a Lambda target the load balancer alone may invoke", () => {
                const fn = one(plan(), "aws:lambda/function:Function", "strangler-service");
                const attachment = one(plan(), "aws:lb/targetGroupAttachment:TargetGroupAttachment", "strangler");
                assert.deepEqual(
                    [v.newTg().inputs.targetType, attachment.inputs.targetGroupArn, attachment.inputs.targetId],
                    ["lambda", v.newTg().outputs.arn, fn.outputs.arn],
                );
                const permission = ofType(plan(), "aws:lambda/permission:Permission").find((p) => p.inputs.principal === "elasticloadbalancing.amazonaws.com")!;
                assert.deepEqual([permission.inputs.function, permission.inputs.sourceArn], [fn.outputs.name ?? fn.inputs.name, v.newTg().outputs.arn]);
            });
        });

        it("exports what clients need: the site URL, the CDN name, the API URL, the user pool and its client", () => {
            const o = plan().outputs as Record<string, unknown>;
            for (const k of ["url", "cdnDomainName", "assetsBucket", "apiUrl", "userPoolId", "userPoolClientId", "newServiceTargetGroupArn"])
                assert.ok(typeof o[k] === "string" && o[k] !== "[secret]", k);
            assert.match(String(o.apiUrl), /^https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com$/);
        });

        it("passes the policy pack's mandatory rules", () => {
            const ours = /platform:(edge|api):|platform:web:WebCluster\$aws:(vpc|lb|ec2\/securityGroup)/;
            const mandatory = plan().policy.violations.filter((x) => x.enforcement === "mandatory" && ours.test(x.urn));
            assert.deepEqual(
                mandatory.map((x) => `${x.policy} ${x.urn}: ${x.message}`),
                [],
            );
        });
    });
}

describe("edge and API settings from a stack file (dev with a certificate, WAF, tighter throttles, a weighted migration)", function () {
    this.timeout(120_000);
    const EDGE_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-4333-8444-555555555555";
    let plan: PlanWithPolicy;
    before(() => {
        const file = stackFile(
            [
                "config:",
                "  aws:region: us-east-1",
                "  platform:profile: dev",
                "  platform:tags: {owner: me}",
                '  platform:api: {throttleRateLimit: 7, throttleBurstLimit: 9, routeThrottling: {"GET /overview": {rateLimit: 3, burstLimit: 4}}}',
                `  platform:edge: {certificateArn: "${EDGE_CERT}", aliases: [dev.example.com], waf: true, rateLimit: 500, rateWindowSeconds: 60, strangler: {migratedPaths: ["/items/*", "/reviews/*"], newServiceWeight: 25, stickinessSeconds: 300}}`,
            ].join("\n"),
        );
        const r = cli(["plan", "--stack", "dev", "--stack-file", file, "--json"]);
        assert.equal(r.status, 0, r.stderr);
        plan = JSON.parse(r.stdout);
    });
    const v = views(() => plan);

    it("the stage and route throttles are the stack file's", () => {
        const stage = v.stage().inputs as any;
        assert.deepEqual([stage.defaultRouteSettings.throttlingRateLimit, stage.defaultRouteSettings.throttlingBurstLimit], [7, 9]);
        assert.deepEqual(
            stage.routeSettings.map((s: any) => [s.routeKey, s.throttlingRateLimit, s.throttlingBurstLimit]),
            [
                ["GET /health", 5, 10],
                ["GET /overview", 3, 4],
            ],
        );
    });

    it("dev with a certificate gets TLSv1.2_2021 and its alias", () => {
        const d = v.distribution().inputs as any;
        assert.deepEqual(d.viewerCertificate, { acmCertificateArn: EDGE_CERT, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
        assert.deepEqual(d.aliases, ["dev.example.com"]);
        assert.equal(plan.outputs.url, "https://dev.example.com");
    });

    it("dev may turn WAF on, with its own rate limit", () => {
        const rate = (one(plan, "aws:wafv2/webAcl:WebAcl").inputs.rules as any[]).find((r) => r.statement.rateBasedStatement).statement.rateBasedStatement;
        assert.deepEqual([rate.limit, rate.evaluationWindowSec], [500, 60]);
    });

    it("migrated paths go to the new service, a weighted, sticky share of the rest too, and the remainder stays on the legacy fleet", () => {
        const headers = v.originHeader();
        const to = (path: string) => routeRequest(plan, v.listener(), { path, headers }) as any;
        const legacy = v.legacyTg().outputs.arn;
        const next = v.newTg().outputs.arn;
        assert.deepEqual(to("/items/1").targets, [{ arn: next, weight: 1 }]);
        assert.deepEqual(to("/reviews/5").targets, [{ arn: next, weight: 1 }]);
        // The catalog container service's rule sits ahead of the strangler's and the weighted split.
        assert.deepEqual(to("/catalog/shoes").targets, [{ arn: one(plan, "aws:lb/targetGroup:TargetGroup", "catalog-tg").outputs.arn, weight: 1 }]);
        assert.deepEqual(to("/orders/1").targets, [
            { arn: legacy, weight: 75 },
            { arn: next, weight: 25 },
        ]);
        const weighted = one(plan, "aws:lb/listenerRule:ListenerRule", "strangler-weighted");
        assert.deepEqual((weighted.inputs.actions as any[])[0].forward.stickiness, { enabled: true, duration: 300 });
        assert.deepEqual(one(plan, "aws:lb/listenerRule:ListenerRule", "strangler-paths-0").inputs.conditions, [
            { pathPattern: { values: ["/items/*", "/reviews/*"] } },
            { httpHeader: { httpHeaderName: ORIGIN_HEADER_NAME, values: ["[secret]"] } },
        ]);
        assert.deepEqual(routeRequest(plan, v.listener(), { path: "/orders/1" }).type, "fixed-response", "still nothing without the origin header");
    });

    it("passes the policy pack's mandatory rules", () => {
        assert.deepEqual(
            plan.policy.violations.filter((x) => x.enforcement === "mandatory").map((x) => `${x.policy} ${x.urn}: ${x.message}`),
            [],
        );
    });
});
