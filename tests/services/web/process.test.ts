/**
 * The web service as a real process (main.ts under Node, as systemd runs it): a request it cannot
 * parse, SIGTERM while requests are in flight, and a fault nothing catches. Kinesis is a hung
 * server, so a publish stays in flight until the service's own deadline ends it.
 */
import { strict as assert } from "assert";
import { spawn, type ChildProcess } from "child_process";
import * as net from "net";
import * as path from "path";
import { PROJECT_DIR } from "../../helpers/plan";
import { eventsOnlyEnv, startHungServer, type HungServer } from "./servers";

interface Service {
    child: ChildProcess;
    port: number;
    logs: Record<string, unknown>[];
    /** Resolves with the exit code and when it happened. */
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function startService(script: string, env: Record<string, string>, ready = "listening"): Promise<Service> {
    const child = spawn(process.execPath, ["-r", path.join(PROJECT_DIR, "tools", "register.js"), script], {
        cwd: PROJECT_DIR,
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const logs: Record<string, unknown>[] = [];
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    const port = await new Promise<number>((resolve, reject) => {
        let buffered = "";
        let port = 0;
        child.stdout!.on("data", (d) => {
            buffered += d;
            let nl: number;
            while ((nl = buffered.indexOf("\n")) >= 0) {
                const line = JSON.parse(buffered.slice(0, nl));
                buffered = buffered.slice(nl + 1);
                logs.push(line);
                if (line.msg === "listening") port = line.port;
                if (line.msg === ready) resolve(port);
            }
        });
        void exited.then(({ code }) => reject(new Error(`the service exited (${code}) before it was ready: ${stderr.slice(-2000)}`)));
    });
    return { child, port, logs, exited };
}

/** Sends one raw request and returns the response's status line ("" when the connection died without one). */
function rawRequest(port: number, head: string): Promise<string> {
    return new Promise((resolve) => {
        let data = "";
        const s = net.connect(port, "127.0.0.1", () => s.write(head));
        s.on("data", (d) => (data += d));
        s.on("error", () => undefined);
        s.on("close", () => resolve(data.split("\r\n")[0]));
    });
}

const within = <T>(ms: number, what: string, p: Promise<T>) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

describe("web service process", function () {
    this.timeout(30_000);
    let kinesis: HungServer;
    let running: Service | undefined;
    const env = (overrides: Record<string, string> = {}) =>
        eventsOnlyEnv("events", `http://127.0.0.1:${kinesis.port}`, { EVENTS_TIMEOUT_MS: "1000", SHUTDOWN_GRACE_MS: "2000", ...overrides });
    const main = path.join(PROJECT_DIR, "services", "web", "main.ts");
    const postEvents = (port: number) =>
        fetch(`http://127.0.0.1:${port}/events`, {
            method: "POST",
            body: JSON.stringify([{ type: "page.viewed", subjectId: "user-1" }]),
            headers: { "content-type": "application/json" },
        }).then(async (res) => ({
            status: res.status,
            body: (await res.json()) as any,
            at: Date.now(),
        }));

    before(async () => {
        kinesis = await startHungServer();
    });
    afterEach(() => {
        if (running?.child.exitCode === null) running.child.kill("SIGKILL");
        running = undefined;
    });
    after(async () => kinesis?.stop());

    it("answers 400 to request targets it cannot parse, and keeps serving", async () => {
        const service = (running = await startService(main, env()));
        for (const target of ["//[", "//x:99999/"]) {
            assert.equal(
                await rawRequest(service.port, `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`),
                "HTTP/1.1 400 Bad Request",
                target,
            );
        }
        const live = await fetch(`http://127.0.0.1:${service.port}/live`);
        assert.equal(live.status, 200);
        assert.equal(service.child.exitCode, null);
    });

    it("on SIGTERM answers the publish in flight by its deadline, cuts what is left at the grace period, and exits 0", async () => {
        const service = (running = await startService(main, env()));
        // An upload that never finishes: only the grace period ends it.
        const stalled = net.connect(service.port, "127.0.0.1");
        stalled.on("error", () => undefined);
        stalled.write("POST /events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[");
        const stalledClosed = new Promise<number>((resolve) => stalled.on("close", () => resolve(Date.now())));
        const published = postEvents(service.port);
        await new Promise((r) => setTimeout(r, 300)); // both in flight: the publish is waiting on the hung Kinesis
        const signalled = Date.now();
        service.child.kill("SIGTERM");

        const answer = await within(5_000, "the publish in flight answered", published);
        assert.equal(answer.status, 503);
        assert.deepEqual(
            answer.body.unstored.map((u: any) => [u.index, u.errorCode]),
            [[0, "TimeoutError"]],
        );
        const exit = await within(5_000, "the service exited", service.exited);
        assert.deepEqual([exit.code, exit.signal], [0, null]);
        const took = exit.at - signalled;
        assert.ok(took >= 1500 && took < 3000, `exited ${took} ms after SIGTERM, with a 2000 ms grace period`);
        assert.ok((await stalledClosed) - signalled < 3000);
        assert.equal(service.logs.find((l) => l.msg === "stopped")?.drained, false, "the stalled upload was cut");
    });

    it("on an exception nothing catches logs it, drains like a stop and exits 1", async () => {
        const service = (running = await startService(path.join(__dirname, "fixtures", "throws-on-sigusr2.ts"), env(), "fault armed"));
        const published = postEvents(service.port);
        await new Promise((r) => setTimeout(r, 300));
        service.child.kill("SIGUSR2");

        const answer = await within(5_000, "the publish in flight answered", published);
        assert.equal(answer.status, 503, "the request in flight is answered, not cut");
        const exit = await within(5_000, "the service exited", service.exited);
        assert.deepEqual([exit.code, exit.signal], [1, null]);
        const fault = service.logs.find((l) => l.msg === "unexpected error; stopping");
        assert.equal(fault?.error, "boom: a fault nothing catches");
        assert.equal(service.logs.find((l) => l.msg === "stopped")?.drained, true);
    });
});
