/**
 * `GET /health`: the API's liveness, public on purpose (monitors call it without a token). It
 * touches no dependency and reveals nothing beyond "the API answers"; the route has a tight
 * throttle of its own, since it is the one route anyone can call.
 */
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";

export const handler = async (): Promise<APIGatewayProxyStructuredResultV2> => ({
    statusCode: 200,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify({ status: "ok" }),
});
