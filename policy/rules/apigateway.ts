/** API Gateway rules: authorized routes, throttling, CORS, access logs, route settings. */
import * as aws from "@pulumi/aws";
import { validateResourceOfType } from "@pulumi/policy";
import { StackGraph } from "../graph";
import { asList, at, isSet, isUnknown, json } from "../lib";
import { type EnvironmentConfig, environmentConfigSchema, type PlatformPolicy } from "../types";

const STAGE_V1 = "aws:apigateway/stage:Stage";

const STAGE_V2 = "aws:apigatewayv2/stage:Stage";

const METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings";

const USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan";

const REST_API = "aws:apigateway/restApi:RestApi";

/** Routes that are public on purpose, unless the pack config names others. */
export const DEFAULT_PUBLIC_ROUTES = ["GET /health"];

interface RouteConfig extends EnvironmentConfig {
    publicRoutes?: string[];
}

/** A WebSocket route key other than $connect: neither "$default" nor "<METHOD> /path" (the HTTP API forms). */
const isWebSocketRoute = (key: string) => key !== "$connect" && key !== "$default" && !/^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \//.test(key);

const positive = (v: unknown) => typeof v === "number" && v > 0;

function checkAccessLogs(settings: { destinationArn?: string; format?: string } | undefined, report: (m: string) => void) {
    if (!isSet(settings, "destinationArn")) return report("writes no access logs");
    const format = settings?.format;
    if (typeof format === "string" && json(format) === undefined) report("writes access logs that aren't JSON; use a JSON format so they can be queried");
}

const HTTP_API = "aws:apigatewayv2/api:Api";

const HTTP_ROUTE = "aws:apigatewayv2/route:Route";

const HTTP_STAGE = "aws:apigatewayv2/stage:Stage";

export const apigatewayPolicies: PlatformPolicy[] = [
    {
        name: "apigateway-route-authorized",
        description:
            "Every API route and method has an authorizer (or requires IAM or an API key), except the routes the pack config names as public (default: GET /health).",
        enforcementLevel: "mandatory",
        configSchema: { properties: { ...environmentConfigSchema.properties, publicRoutes: { type: "array", items: { type: "string" } } } },
        validateResource: [
            validateResourceOfType(aws.apigatewayv2.Route, (p, args, report) => {
                const publicRoutes = args.getConfig<RouteConfig>().publicRoutes ?? DEFAULT_PUBLIC_ROUTES;
                // CORS preflights can't carry credentials; on WebSocket APIs only $connect takes an authorizer.
                if (/^OPTIONS /.test(p.routeKey) || isWebSocketRoute(p.routeKey)) return;
                if ((p.authorizationType ?? "NONE") === "NONE" && p.apiKeyRequired !== true && !publicRoutes.includes(p.routeKey)) {
                    report(`route "${p.routeKey}" has no authorizer; attach one, or list it in the pack config's publicRoutes if it is public on purpose`);
                }
            }),
            validateResourceOfType(aws.apigateway.Method, (p, _a, report) => {
                if (p.authorization === "NONE" && p.apiKeyRequired !== true && p.httpMethod !== "OPTIONS")
                    report(`method ${p.httpMethod} has no authorizer and requires no API key`);
            }),
            validateResourceOfType(aws.apigatewayv2.Authorizer, (p, _a, report) => {
                if (p.authorizerType !== "JWT") return;
                if (!p.jwtConfiguration?.issuer?.startsWith("https://")) report("has no https issuer");
                if ((p.jwtConfiguration?.audiences ?? []).length === 0) report("names no audience, so tokens aren't tied to this API's app client");
            }),
        ],
    },
    {
        name: "apigateway-throttling",
        description: "Every API stage throttles: a default rate and burst limit (HTTP/WebSocket APIs), or method settings or a usage plan (REST APIs).",
        enforcementLevel: "mandatory",
        covers: [STAGE_V1, STAGE_V2, METHOD_SETTINGS, USAGE_PLAN],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const stage of g.ofType(STAGE_V2)) {
                const s = stage.props.defaultRouteSettings;
                if (isUnknown(s) || isUnknown(at(s, "throttlingRateLimit")) || isUnknown(at(s, "throttlingBurstLimit"))) continue;
                if (!positive(at(s, "throttlingRateLimit")) || !positive(at(s, "throttlingBurstLimit")))
                    report("sets no default throttling rate and burst limits; one client can exhaust the backends", stage.urn);
            }
            const settings = g.ofType(METHOD_SETTINGS);
            const plans = g.ofType(USAGE_PLAN);
            for (const stage of g.ofType(STAGE_V1)) {
                const apis = g.resolve(stage, "restApi", [REST_API]);
                if (isUnknown(apis) || isUnknown(stage.props.stageName)) continue;
                const sameApi = (n: typeof stage, path: string) => {
                    const a = g.resolve(n, path, [REST_API]);
                    return isUnknown(a) || apis.length === 0 || a.some((x) => apis.includes(x));
                };
                const byMethodSettings = settings.some(
                    (m) =>
                        sameApi(m, "restApi") &&
                        (m.props.stageName === stage.props.stageName || isUnknown(m.props.stageName)) &&
                        positive(at(m.props.settings, "throttlingRateLimit")),
                );
                const byPlan = plans.some(
                    (p) =>
                        asList(p.props.apiStages).some((s) => isUnknown(s) || at(s, "stage") === stage.props.stageName) &&
                        positive(at(p.props.throttleSettings, "rateLimit")),
                );
                if (!byMethodSettings && !byPlan)
                    report("sets no throttling (method settings or a usage plan); one client can exhaust the backends", stage.urn);
            }
        },
    },
    {
        name: "apigateway-cors-consistent",
        description: 'An HTTP API that allows credentials across origins names its origins; AWS rejects allowCredentials with allowOrigins "*".',
        enforcementLevel: "mandatory",
        validateResource: validateResourceOfType(aws.apigatewayv2.Api, (p, _a, report) => {
            const cors = p.corsConfiguration;
            if (cors?.allowCredentials === true && (cors.allowOrigins ?? []).includes("*"))
                report('allows credentials from any origin ("*"); name the origins');
        }),
    },
    {
        name: "apigateway-access-logging",
        description: "API stages write access logs, in JSON.",
        enforcementLevel: "advisory",
        validateResource: [
            validateResourceOfType(aws.apigatewayv2.Stage, (p, _a, report) => checkAccessLogs(p.accessLogSettings, report)),
            validateResourceOfType(aws.apigateway.Stage, (p, _a, report) => checkAccessLogs(p.accessLogSettings, report)),
        ],
    },
    {
        name: "apigateway-route-settings-name-routes",
        description: "An HTTP API stage's per-route settings (throttling) name routes of its API; AWS rejects settings for a route that doesn't exist.",
        enforcementLevel: "mandatory",
        covers: [HTTP_API, HTTP_ROUTE, HTTP_STAGE],
        validateStack: (args, report) => {
            const g = new StackGraph(args.resources);
            for (const stage of g.ofType(HTTP_STAGE)) {
                const apis = g.resolve(stage, "apiId", [HTTP_API]);
                if (isUnknown(apis) || apis.length === 0) continue;
                const routeKeys: unknown[] = [];
                let unknown = false;
                for (const r of g.ofType(HTTP_ROUTE)) {
                    const api = g.resolve(r, "apiId", [HTTP_API]);
                    if (isUnknown(api) || isUnknown(r.props.routeKey)) unknown = true;
                    else if (api.some((a) => apis.includes(a))) routeKeys.push(r.props.routeKey);
                }
                if (unknown) continue;
                for (const s of asList(stage.props.routeSettings)) {
                    const routeKey = at(s, "routeKey");
                    if (isUnknown(s) || isUnknown(routeKey)) continue;
                    if (!routeKeys.includes(routeKey))
                        report(`has route settings for "${routeKey}", which is not a route of its API (routes: ${routeKeys.join(", ") || "none"})`, stage.urn);
                }
            }
        },
    },
];
