import { strict as assert } from "assert";
import * as path from "path";
import { defaults } from "../../config/sections/api";
import { Api, routeSlug, type ApiArgs } from "../../components/api";
import type { Plan } from "../../tools/engine";
import { render, testContext } from "../helpers/component";
import { omit } from "../helpers/object";

const FIXTURE = path.join(__dirname, "..", "fixtures", "echo-handler.ts");
const apiDefaults = omit(defaults.dev, "aggregatorTimeoutMs", "circuitBreaker");

function args(overrides: Partial<ApiArgs> = {}): ApiArgs {
    return {
        ...apiDefaults,
        routeThrottling: {},
        context: testContext({ region: "us-east-1", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-a444-555555555555" }),
        corsOrigins: ["https://www.example.com"],
        routes: [
            { routeKey: "GET /health", public: true, handler: { entry: FIXTURE, description: "health" } },
            { routeKey: "GET /things/{id}", handler: { entry: FIXTURE, description: "things" } },
        ],
        ...overrides,
    };
}

const all = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);

describe("Api component", () => {
    it("puts the JWT authorizer on every route but the public ones, and scopes each invoke permission to its route", async () => {
        const plan = await render(() => new Api("api", args()));
        const [authorizer] = all(plan, "aws:apigatewayv2/authorizer:Authorizer");
        const routes = Object.fromEntries(
            all(plan, "aws:apigatewayv2/route:Route").map((r) => [r.inputs.routeKey, [r.inputs.authorizationType, r.inputs.authorizerId]]),
        );
        assert.deepEqual(routes, { "GET /health": ["NONE", undefined], "GET /things/{id}": ["JWT", authorizer.id] });
        const [api] = all(plan, "aws:apigatewayv2/api:Api");
        assert.deepEqual(
            all(plan, "aws:lambda/permission:Permission")
                .map((p) => p.inputs.sourceArn)
                .sort(),
            [`${api.outputs.executionArn}/*/GET/health`, `${api.outputs.executionArn}/*/GET/things/*`],
        );
    });

    it("threat protection selects the Plus plan; OFF keeps Essentials without the add-on", async () => {
        const off = await render(() => new Api("api", args({ threatProtection: "OFF" })));
        const pool = all(off, "aws:cognito/userPool:UserPool")[0].inputs as any;
        assert.deepEqual([pool.userPoolTier, pool.userPoolAddOns], ["ESSENTIALS", undefined]);
        const audit = await render(() => new Api("api", args({ threatProtection: "AUDIT" })));
        const plus = all(audit, "aws:cognito/userPool:UserPool")[0].inputs as any;
        assert.deepEqual([plus.userPoolTier, plus.userPoolAddOns], ["PLUS", { advancedSecurityMode: "AUDIT" }]);
    });

    it("per-route throttles reach the stage, which is created after the routes they name", async () => {
        const plan = await render(
            () => new Api("api", args({ throttleRateLimit: 11, throttleBurstLimit: 22, routeThrottling: { "GET /health": { rateLimit: 1, burstLimit: 2 } } })),
        );
        const [stage] = all(plan, "aws:apigatewayv2/stage:Stage");
        assert.deepEqual((stage.inputs as any).defaultRouteSettings, { throttlingRateLimit: 11, throttlingBurstLimit: 22, detailedMetricsEnabled: true });
        assert.deepEqual((stage.inputs as any).routeSettings, [
            { routeKey: "GET /health", throttlingRateLimit: 1, throttlingBurstLimit: 2, detailedMetricsEnabled: true },
        ]);
        for (const route of all(plan, "aws:apigatewayv2/route:Route")) assert.ok(stage.options.dependsOn.includes(route.urn), route.name);
    });

    it("refuses a throttle for a route it doesn't serve, and a route defined twice", async () => {
        await assert.rejects(
            render(() => new Api("api", args({ routeThrottling: { "GET /nope": { rateLimit: 1, burstLimit: 1 } } }))),
            /routeThrottling names GET \/nope, which is not a route of this API/,
        );
        const twice = args();
        twice.routes.push({ ...twice.routes[0] });
        await assert.rejects(
            render(() => new Api("api", twice)),
            /route GET \/health is defined twice/,
        );
    });

    it("names a route's resources after it", () => {
        assert.equal(routeSlug("GET /things/{id}"), "get-things-id");
        assert.equal(routeSlug("ANY /"), "any");
    });
});
