/**
 * The new service the strangler fig grows: a Lambda function behind the web load balancer that
 * takes over routes from the legacy fleet one by one (`platform:edge.strangler`). It serves
 * `GET /items/<id>` from the read model (partition `item#<id>`) and `GET /` with the same
 * contract as the legacy service, so a weighted share of the root can move to it too.
 */
import type { ALBEvent, ALBResult } from "aws-lambda";
import { dynamoReadModel, type ReadModel } from "../read-model";
import { entityKey } from "../table-keys";

/** Items of one partition a response carries at most. */
export const ITEM_LIMIT = 100;

const STATUS_TEXT: Record<number, string> = { 200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable" };

// The load balancer requires statusDescription ("200 OK") in a Lambda target's response.
const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ALBResult => ({
    statusCode,
    statusDescription: `${statusCode} ${STATUS_TEXT[statusCode]}`,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    isBase64Encoded: false,
    body: JSON.stringify(body),
});

export function webNextHandler(readModel: ReadModel, log: (entry: Record<string, unknown>) => void = () => undefined): (event: ALBEvent) => Promise<ALBResult> {
    return async (event) => {
        const path = event.path;
        const readOnly = event.httpMethod === "GET" || event.httpMethod === "HEAD";
        if (path === "/")
            return readOnly ? json(200, { service: "web-next", status: "serving" }) : json(405, { error: "method not allowed" }, { allow: "GET, HEAD" });
        const item = /^\/items\/([^/]+)$/.exec(path);
        if (!item) return json(404, { error: "not found" });
        if (!readOnly) return json(405, { error: "method not allowed" }, { allow: "GET, HEAD" });
        let id: string;
        try {
            id = decodeURIComponent(item[1]);
            entityKey("item", id);
        } catch (err) {
            return json(400, { error: `invalid item id: ${err instanceof Error ? err.message : String(err)}` });
        }
        try {
            const records = await readModel.partition(entityKey("item", id), ITEM_LIMIT);
            return records.length === 0 ? json(404, { error: "no such item", id }) : json(200, { id, records });
        } catch (err) {
            log({ msg: "read model failed", path, error: err instanceof Error ? err.message : String(err) });
            return json(503, { error: "the read model is unavailable" });
        }
    };
}

let live: ReturnType<typeof webNextHandler> | undefined;

/** The Lambda entry point; the client is built once per execution environment. */
export const handler = (event: ALBEvent): Promise<ALBResult> => {
    if (!live) {
        const { TABLE_NAME, AWS_REGION, DYNAMODB_ENDPOINT } = process.env;
        if (!TABLE_NAME || !AWS_REGION) throw new Error("web-next: TABLE_NAME and AWS_REGION must be set");
        live = webNextHandler(dynamoReadModel({ tableName: TABLE_NAME, region: AWS_REGION, endpoint: DYNAMODB_ENDPOINT || undefined }), (e) =>
            console.log(JSON.stringify(e)),
        );
    }
    return live(event);
};
