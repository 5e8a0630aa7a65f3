/**
 * The process around a container service: start it, and on SIGTERM (ECS stopping the task) or
 * SIGINT stop taking connections, let requests in flight finish within the grace period, and
 * exit 0. An uncaught exception or unhandled rejection is logged and stops the process the same
 * way with exit code 1, so requests in flight are answered and ECS replaces the task.
 */
import type * as http from "http";
import { drain } from "./http";
import { describeError, type Log } from "./log";

export interface Started {
    server: http.Server;
    port: number;
    shutdownGraceMs: number;
    /** Releases clients (SDK sockets) once the server has drained. */
    dispose?: () => void;
}

export function runService(log: Log, start: () => Promise<Started>): void {
    let service: Started | undefined;
    let stopping = false;
    const stop = (code: number) => {
        process.exitCode = Math.max(Number(process.exitCode ?? 0), code);
        if (stopping) return;
        stopping = true;
        if (!service) return process.exit();
        const { server, shutdownGraceMs, dispose } = service;
        // closeAllConnections ends the drain at the grace period; this only backs it up.
        setTimeout(() => process.exit(), shutdownGraceMs + 2_000).unref();
        void drain(server, shutdownGraceMs).then((drained) => {
            dispose?.();
            log({ msg: "stopped", drained });
            process.exit();
        });
    };
    process.on("uncaughtException", (err, origin) => {
        log({ msg: "unexpected error; stopping", origin, ...describeError(err) });
        stop(1);
    });
    process.on("unhandledRejection", (reason) => {
        log({ msg: "unhandled rejection; stopping", ...describeError(reason) });
        stop(1);
    });
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.on(signal, () => {
            log({ msg: "stopping", signal, graceMs: service?.shutdownGraceMs });
            stop(0);
        });
    }
    start().then(
        (started) => {
            service = started;
            log({ msg: "listening", port: started.port });
            if (stopping) stop(0); // a signal arrived while starting
        },
        (err) => {
            log({ msg: "failed to start", ...describeError(err) });
            process.exit(1);
        },
    );
}
