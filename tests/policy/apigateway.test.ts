import { strict as assert } from "assert";
import { expectViolations, resource } from "../helpers/policy";

const route = (name: string, routeKey: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:apigatewayv2/route:Route", name, { apiId: "api", routeKey, ...inputs });
const stage = (name: string, inputs: Record<string, unknown> = {}) =>
    resource("aws:apigatewayv2/stage:Stage", name, { apiId: "api", name: "$default", ...inputs });

describe("API Gateway policies", () => {
    describe("apigateway-route-authorized", () => {
        it("passes authorized routes, the public health route, CORS preflights and WebSocket message routes; flags an open route and an open $connect", async () => {
            const ok = route("orders", "GET /orders", { authorizationType: "JWT", authorizerId: "a" });
            const health = route("health", "GET /health");
            const open = route("open", "POST /orders");
            const preflight = route("preflight", "OPTIONS /orders");
            const wsMessage = route("ws-message", "sendMessage");
            const wsConnect = route("ws-connect", "$connect");
            const v = await expectViolations("apigateway-route-authorized", [ok, health, open, preflight, wsMessage, wsConnect], [open, wsConnect]);
            assert.match(v.find((x) => x.urn === open.urn)!.message, /route "POST \/orders" has no authorizer/);
        });
        it("takes the public routes from the pack config", async () => {
            const status = route("status", "GET /status");
            const health = route("health", "GET /health");
            await expectViolations("apigateway-route-authorized", [status, health], [health], {
                config: { "apigateway-route-authorized": { publicRoutes: ["GET /status"] } },
            });
        });
        it("flags a REST method without authorization and a JWT authorizer without an audience", async () => {
            const method = resource("aws:apigateway/method:Method", "m", { restApi: "r", resourceId: "x", httpMethod: "GET", authorization: "NONE" });
            const cors = resource("aws:apigateway/method:Method", "cors", { restApi: "r", resourceId: "x", httpMethod: "OPTIONS", authorization: "NONE" });
            const jwt = resource("aws:apigatewayv2/authorizer:Authorizer", "jwt", {
                apiId: "api",
                authorizerType: "JWT",
                identitySources: ["$request.header.Authorization"],
                jwtConfiguration: { issuer: "https://cognito-idp.us-east-1.amazonaws.com/pool" },
            });
            await expectViolations("apigateway-route-authorized", [method, cors, jwt], [method, jwt]);
        });
    });

    describe("apigateway-throttling", () => {
        it("passes a throttled HTTP stage and a REST stage throttled by method settings; flags unthrottled ones", async () => {
            const ok = stage("ok", { defaultRouteSettings: { throttlingRateLimit: 50, throttlingBurstLimit: 100 } });
            const bad = stage("bad", { defaultRouteSettings: { throttlingBurstLimit: 100 } });
            const api = resource("aws:apigateway/restApi:RestApi", "rest", { name: "rest" }, { id: "rest-1" });
            const restStage = resource("aws:apigateway/stage:Stage", "rest-prod", { restApi: "rest-1", stageName: "prod", deployment: "d" });
            const settings = resource("aws:apigateway/methodSettings:MethodSettings", "throttle", {
                restApi: "rest-1",
                stageName: "prod",
                methodPath: "*/*",
                settings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
            });
            const bareStage = resource("aws:apigateway/stage:Stage", "rest-dev", { restApi: "rest-1", stageName: "dev", deployment: "d" });
            await expectViolations("apigateway-throttling", [ok, bad, api, restStage, settings, bareStage], [bad, bareStage]);
        });
    });

    describe("apigateway-cors-consistent", () => {
        it("passes named origins with credentials and flags credentials with any origin", async () => {
            const ok = resource("aws:apigatewayv2/api:Api", "ok", {
                protocolType: "HTTP",
                corsConfiguration: { allowOrigins: ["https://www.example.com"], allowCredentials: true },
            });
            const open = resource("aws:apigatewayv2/api:Api", "open", { protocolType: "HTTP", corsConfiguration: { allowOrigins: ["*"] } });
            const bad = resource("aws:apigatewayv2/api:Api", "bad", {
                protocolType: "HTTP",
                corsConfiguration: { allowOrigins: ["*"], allowCredentials: true },
            });
            await expectViolations("apigateway-cors-consistent", [ok, open, bad], [bad]);
        });
    });

    describe("apigateway-access-logging", () => {
        it("passes JSON access logs and notes missing or non-JSON ones", async () => {
            const ok = stage("ok", {
                accessLogSettings: {
                    destinationArn: "arn:aws:logs:us-east-1:1:log-group:api",
                    format: JSON.stringify({ requestId: "$context.requestId", status: "$context.status" }),
                },
            });
            const text = stage("text", {
                accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:1:log-group:api", format: "$context.requestId $context.status" },
            });
            const none = resource("aws:apigateway/stage:Stage", "none", { restApi: "r", stageName: "prod", deployment: "d" });
            await expectViolations("apigateway-access-logging", [ok, text, none], [text, none]);
        });
    });

    describe("apigateway-route-settings-name-routes", () => {
        it("passes route settings for the API's routes and flags settings for a route it lacks", async () => {
            const api = resource("aws:apigatewayv2/api:Api", "api", { protocolType: "HTTP" }, { id: "api-1" });
            const route = resource("aws:apigatewayv2/route:Route", "overview", { apiId: "api-1", routeKey: "GET /overview", authorizationType: "JWT" });
            const ok = resource("aws:apigatewayv2/stage:Stage", "ok", {
                apiId: "api-1",
                routeSettings: [{ routeKey: "GET /overview", throttlingRateLimit: 10, throttlingBurstLimit: 20 }],
            });
            const bad = resource("aws:apigatewayv2/stage:Stage", "bad", {
                apiId: "api-1",
                routeSettings: [{ routeKey: "GET /orders", throttlingRateLimit: 10, throttlingBurstLimit: 20 }],
            });
            await expectViolations("apigateway-route-settings-name-routes", [api, route, ok, bad], [bad]);
        });
    });

    describe("apigateway-route-settings-name-routes", () => {
        it("passes route settings for the API's own routes; flags settings for a route that doesn't exist", async () => {
            const api = resource("aws:apigatewayv2/api:Api", "api", { protocolType: "HTTP" }, { id: "api1" });
            const route = resource("aws:apigatewayv2/route:Route", "health", { apiId: "api1", routeKey: "GET /health" });
            const ok = resource("aws:apigatewayv2/stage:Stage", "ok", {
                apiId: "api1",
                name: "$default",
                routeSettings: [{ routeKey: "GET /health", throttlingRateLimit: 1 }],
            });
            const bad = resource("aws:apigatewayv2/stage:Stage", "bad", {
                apiId: "api1",
                name: "v2",
                routeSettings: [{ routeKey: "GET /orders", throttlingRateLimit: 1 }],
            });
            const v = await expectViolations("apigateway-route-settings-name-routes", [api, route, ok, bad], [bad]);
            assert.match(v[0].message, /route settings for "GET \/orders", which is not a route of its API \(routes: GET \/health\)/);
        });
    });
});
