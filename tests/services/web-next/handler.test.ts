import { strict as assert } from "assert";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { ALBEvent } from "aws-lambda";
import { webNextHandler } from "../../../services/web-next/handler";
import { dynamoReadModel } from "../../../services/read-model";
import { freePort, LOCAL_CREDENTIALS, startDynalite, type DynamoServer } from "../web/servers";

const alb = (path: string, httpMethod = "GET") =>
    ({
        path,
        httpMethod,
        headers: {},
        queryStringParameters: {},
        body: "",
        isBase64Encoded: false,
        requestContext: { elb: { targetGroupArn: "arn" } },
    }) as ALBEvent;

describe("web-next (the strangler's new service) against dynalite", function () {
    this.timeout(30_000);
    let dynamo: DynamoServer;
    let serve: ReturnType<typeof webNextHandler>;

    before(async () => {
        dynamo = await startDynalite();
        const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1", endpoint: dynamo.endpoint, credentials: LOCAL_CREDENTIALS }));
        await doc.send(new PutCommand({ TableName: dynamo.tableName, Item: { pk: "item#42", sk: "summary", title: "The answer" } }));
        doc.destroy();
        serve = webNextHandler(
            dynamoReadModel({ tableName: dynamo.tableName, region: "us-east-1", endpoint: dynamo.endpoint, credentials: LOCAL_CREDENTIALS }),
        );
    });
    after(() => dynamo?.stop());

    it("serves an item's records from the read model, with the status line a Lambda target must give the load balancer", async () => {
        const res = await serve(alb("/items/42"));
        assert.equal(res.statusCode, 200);
        assert.equal(res.statusDescription, "200 OK");
        assert.deepEqual(JSON.parse(res.body ?? ""), { id: "42", records: [{ sk: "summary", title: "The answer" }] });
    });

    it("answers 404 for an unknown item or path, 400 for an id that can't be a key, 405 for writes", async () => {
        assert.equal((await serve(alb("/items/7"))).statusCode, 404);
        assert.equal((await serve(alb("/orders/1"))).statusCode, 404);
        assert.equal((await serve(alb("/items/a%23b"))).statusCode, 400);
        const write = await serve(alb("/items/42", "POST"));
        assert.deepEqual([write.statusCode, write.headers?.allow], [405, "GET, HEAD"]);
    });

    it("keeps the legacy root's contract, so a weighted share of / can move to it", async () => {
        const res = await serve(alb("/"));
        assert.deepEqual([res.statusCode, JSON.parse(res.body ?? "").status], [200, "serving"]);
    });

    it("answers 503 when the read model is down", async () => {
        const down = webNextHandler(
            dynamoReadModel({
                tableName: dynamo.tableName,
                region: "us-east-1",
                endpoint: `http://127.0.0.1:${await freePort()}`,
                credentials: LOCAL_CREDENTIALS,
            }),
        );
        assert.equal((await down(alb("/items/42"))).statusCode, 503);
    });
});
