import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformFunction, type PlatformFunctionArgs } from "./lambda-function";
import type { PlatformContext } from "./context";
import { platformPath, stackName } from "./names";
import { withDefaults, type WithDefaults } from "../lib/defaults";

export interface ApiRouteArgs {
    /** `<METHOD> <path>`, e.g. "GET /overview". */
    routeKey: string;
    /** No authorizer: public on purpose (the health route only). */
    public?: boolean;
    /** The Lambda handler behind the route (the API supplies its key and log retention). */
    handler: Omit<PlatformFunctionArgs, "kmsKeyArn" | "logRetentionDays">;
}

export interface ApiArgs {
    /** Stage default: steady-state requests per second across all routes' clients (API Gateway's default account quota is 10,000 per Region). */
    throttleRateLimit: number;
    /** Stage default: burst capacity (the default account quota is 5,000 per Region). */
    throttleBurstLimit: number;
    /** Per-route limits that override the stage default, by route key (GET /health, GET /overview): { rateLimit, burstLimit }. */
    routeThrottling: Record<
        string,
        {
            /** Steady-state requests per second (API Gateway's default account quota is 10,000 per Region). */
            rateLimit: number;
            /** Burst capacity: requests the token bucket holds (the default account quota is 5,000 per Region). */
            burstLimit: number;
        }
    >;
    /** Cognito MFA with authenticator apps (TOTP): OPTIONAL lets users choose, ON requires it (prod). */
    mfa: "OPTIONAL" | "ON";
    /** Cognito threat protection (compromised credentials, adaptive authentication): needs the Plus feature plan, so anything but OFF selects it. */
    threatProtection: "OFF" | "AUDIT" | "ENFORCED";
    /** Shortest password the user pool accepts; every password also needs upper and lower case, a digit and a symbol. */
    passwordMinimumLength: number;
    /** Previous passwords a user may not reuse (0 to 24). */
    passwordHistorySize: number;
    /**
     * Lifetime of access and ID tokens, in minutes (Cognito allows 5 to 1440).
     * @default 60
     */
    accessTokenMinutes?: number;
    /** Lifetime of refresh tokens, in days (Cognito allows up to 3650). */
    refreshTokenDays: number;
    /** Days the API's access logs and its functions' logs are kept. */
    logRetentionDays: number;
    routes: ApiRouteArgs[];
    /** Origins a browser may call the API from (the site's URLs), for CORS. */
    corsOrigins: pulumi.Input<pulumi.Input<string>[]>;
    /** The environment: region, account, platform key, alarm topic and the protection decisions (see PlatformContext). */
    context: PlatformContext;
}

/** The defaults of ApiArgs's optional fields (each documented with `@default`). */
export const API_DEFAULTS = { accessTokenMinutes: 60 } as const;

/** One JSON object per request: who, what, how it ended, and why an authorizer or integration refused. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
    requestId: "$context.requestId",
    requestTime: "$context.requestTime",
    sourceIp: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    routeKey: "$context.routeKey",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    latencyMs: "$context.responseLatency",
    integrationLatencyMs: "$context.integrationLatency",
    integrationError: "$context.integrationErrorMessage",
    authorizerError: "$context.authorizer.error",
    principal: "$context.authorizer.claims.sub",
});

/** "GET /overview" -> "get-overview": a name part for a route's resources. */
export function routeSlug(routeKey: string): string {
    return routeKey
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
}

type Args = WithDefaults<ApiArgs, typeof API_DEFAULTS>;

/** Who may call: the user pool and its app client. */
interface Identity {
    userPool: aws.cognito.UserPool;
    client: aws.cognito.UserPoolClient;
}

interface HttpApi {
    accessLogs: aws.cloudwatch.LogGroup;
    api: aws.apigatewayv2.Api;
    authorizer: aws.apigatewayv2.Authorizer;
}

/** Route keys are unique, and per-route throttling names only routes of this API. */
function checkRoutes(name: string, args: ApiArgs): void {
    const keys = args.routes.map((r) => r.routeKey);
    const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
    if (duplicate) throw new Error(`${name}: route ${duplicate} is defined twice`);
    for (const key of Object.keys(args.routeThrottling)) {
        if (!keys.includes(key)) throw new Error(`${name}: routeThrottling names ${key}, which is not a route of this API (${keys.join(", ")})`);
    }
}

/**
 * An HTTP API (API Gateway v2) in front of Lambda handlers. A Cognito user pool authenticates
 * callers: strong password policy, MFA with authenticator apps (optional or required), no
 * self sign-up (administrators create users), threat protection on the Plus plan; its app
 * client has no secret (browsers and apps use SRP) and hides whether a user exists. Every route
 * carries the JWT authorizer except those marked public. The stage throttles by default and per
 * route, and writes JSON access logs to an encrypted log group with retention.
 */
export class Api extends pulumi.ComponentResource {
    /** https://<id>.execute-api.<region>.amazonaws.com: the $default stage's URL. */
    public readonly url: pulumi.Output<string>;
    public readonly apiId: pulumi.Output<string>;
    public readonly userPoolId: pulumi.Output<string>;
    public readonly userPoolClientId: pulumi.Output<string>;
    /** The token issuer the authorizer trusts. */
    public readonly issuer: pulumi.Output<string>;
    public readonly accessLogGroupName: pulumi.Output<string>;
    /** Each route's handler, by route key: a grantee of other components' grants (`table.grantQuery(api.handlers[key])`). */
    public readonly handlers: Record<string, PlatformFunction>;

    constructor(name: string, given: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:api:Api", name, {}, opts);
        const args = withDefaults(API_DEFAULTS, given);
        checkRoutes(name, args);

        const { userPool, client } = this.identity(name, args);
        const issuer = pulumi.interpolate`https://${userPool.endpoint}`;
        const { accessLogs, api, authorizer } = this.httpApi(name, args, issuer, client);
        this.handlers = {};
        const routes = args.routes.map((route) => {
            const { handler, apiRoute } = this.route(name, args, route, api, authorizer);
            this.handlers[route.routeKey] = handler;
            return apiRoute;
        });
        const stage = this.stage(name, args, api, accessLogs, routes);

        this.url = pulumi.all([api.apiEndpoint, stage.id]).apply(([endpoint]) => endpoint);
        this.apiId = api.id;
        this.userPoolId = userPool.id;
        this.userPoolClientId = client.id;
        this.issuer = issuer;
        this.accessLogGroupName = accessLogs.name;
        this.registerOutputs({
            url: this.url,
            apiId: this.apiId,
            userPoolId: this.userPoolId,
            userPoolClientId: this.userPoolClientId,
            issuer: this.issuer,
            accessLogGroupName: this.accessLogGroupName,
        });
    }

    /** The Cognito user pool callers sign in to, and the app client (no secret) whose tokens the API accepts. */
    private identity(name: string, args: Args): Identity {
        const plus = args.threatProtection !== "OFF";
        const userPool = new aws.cognito.UserPool(
            `${name}-users`,
            {
                usernameAttributes: ["email"],
                autoVerifiedAttributes: ["email"],
                // Nobody signs themselves up: administrators create users, so every identity is a known one.
                adminCreateUserConfig: { allowAdminCreateUserOnly: true },
                passwordPolicy: {
                    minimumLength: args.passwordMinimumLength,
                    requireLowercase: true,
                    requireUppercase: true,
                    requireNumbers: true,
                    requireSymbols: true,
                    temporaryPasswordValidityDays: 3,
                    passwordHistorySize: args.passwordHistorySize,
                },
                // MFA ON or OPTIONAL needs a factor configured: authenticator apps (TOTP), which need no SMS role.
                mfaConfiguration: args.mfa,
                softwareTokenMfaConfiguration: { enabled: true },
                accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
                // Threat protection exists only on the Plus feature plan.
                userPoolTier: plus ? "PLUS" : "ESSENTIALS",
                ...(plus ? { userPoolAddOns: { advancedSecurityMode: args.threatProtection } } : {}),
                deletionProtection: args.context.stateful.deletionProtection ? "ACTIVE" : "INACTIVE",
            },
            { parent: this, protect: args.context.stateful.protect },
        );
        const client = new aws.cognito.UserPoolClient(
            `${name}-client`,
            {
                userPoolId: userPool.id,
                generateSecret: false,
                explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                preventUserExistenceErrors: "ENABLED",
                enableTokenRevocation: true,
                accessTokenValidity: args.accessTokenMinutes,
                idTokenValidity: args.accessTokenMinutes,
                refreshTokenValidity: args.refreshTokenDays,
                tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
            },
            { parent: this },
        );
        return { userPool, client };
    }

    /** The HTTP API, its JWT authorizer (the user pool's tokens) and its access log group. */
    private httpApi(name: string, args: Args, issuer: pulumi.Output<string>, client: aws.cognito.UserPoolClient): HttpApi {
        const parent = { parent: this };
        const accessLogs = new aws.cloudwatch.LogGroup(
            `${name}-access-logs`,
            { name: platformPath("api", name), retentionInDays: args.logRetentionDays, kmsKeyId: args.context.kmsKeyArn },
            parent,
        );
        const api = new aws.apigatewayv2.Api(
            `${name}-http`,
            {
                protocolType: "HTTP",
                description: `${name} (${stackName()})`,
                corsConfiguration: { allowOrigins: args.corsOrigins, allowMethods: ["GET"], allowHeaders: ["authorization", "content-type"], maxAge: 600 },
            },
            parent,
        );
        const authorizer = new aws.apigatewayv2.Authorizer(
            `${name}-cognito`,
            {
                apiId: api.id,
                name: "cognito",
                authorizerType: "JWT",
                identitySources: ["$request.header.Authorization"],
                // Cognito access tokens carry the app client in client_id, which API Gateway matches against the audiences.
                jwtConfiguration: { issuer, audiences: [client.id] },
            },
            parent,
        );
        return { accessLogs, api, authorizer };
    }

    /** One route: its handler, which only this route may invoke, the Lambda integration, and the route (behind the authorizer unless public). */
    private route(
        name: string,
        args: Args,
        route: ApiRouteArgs,
        api: aws.apigatewayv2.Api,
        authorizer: aws.apigatewayv2.Authorizer,
    ): { handler: PlatformFunction; apiRoute: aws.apigatewayv2.Route } {
        const parent = { parent: this };
        const slug = routeSlug(route.routeKey);
        const [method, path] = route.routeKey.split(" ");
        const handler = new PlatformFunction(
            `${name}-${slug}`,
            { ...route.handler, kmsKeyArn: args.context.kmsKeyArn, logRetentionDays: args.logRetentionDays },
            parent,
        );
        // Only this route of this API may invoke the function.
        handler.allowInvoke("api", "apigateway.amazonaws.com", pulumi.interpolate`${api.executionArn}/*/${method}${path.replace(/\{[^}]+\}/g, "*")}`);
        const integration = new aws.apigatewayv2.Integration(
            `${name}-${slug}`,
            { apiId: api.id, integrationType: "AWS_PROXY", integrationUri: handler.arn, payloadFormatVersion: "2.0", description: route.handler.description },
            parent,
        );
        const apiRoute = new aws.apigatewayv2.Route(
            `${name}-${slug}`,
            {
                apiId: api.id,
                routeKey: route.routeKey,
                target: pulumi.interpolate`integrations/${integration.id}`,
                ...(route.public ? { authorizationType: "NONE" } : { authorizationType: "JWT", authorizerId: authorizer.id }),
            },
            parent,
        );
        return { handler, apiRoute };
    }

    /** The $default stage: throttled by default and per route, JSON access logs, deployed on every change. */
    private stage(
        name: string,
        args: Args,
        api: aws.apigatewayv2.Api,
        accessLogs: aws.cloudwatch.LogGroup,
        routes: aws.apigatewayv2.Route[],
    ): aws.apigatewayv2.Stage {
        return new aws.apigatewayv2.Stage(
            `${name}-stage`,
            {
                apiId: api.id,
                name: "$default",
                autoDeploy: true,
                accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
                defaultRouteSettings: {
                    throttlingRateLimit: args.throttleRateLimit,
                    throttlingBurstLimit: args.throttleBurstLimit,
                    detailedMetricsEnabled: true,
                },
                routeSettings: Object.entries(args.routeThrottling).map(([routeKey, t]) => ({
                    routeKey,
                    throttlingRateLimit: t.rateLimit,
                    throttlingBurstLimit: t.burstLimit,
                    detailedMetricsEnabled: true,
                })),
            },
            // Route settings must name routes that exist.
            { parent: this, dependsOn: routes },
        );
    }
}
