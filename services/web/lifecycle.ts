/**
 * The process around the app: start it, stop it on SIGTERM/SIGINT, and on anything unexpected
 * (an uncaught exception or an unhandled rejection) log it and stop the same way with a non-zero
 * code, instead of dying with every in-flight request. Stopping drains the server for its grace
 * period, then closes what is left and exits; systemd restarts the service after a failure.
 */
import { startApp, type App, type AppOptions } from "./app";

export type Log = (entry: Record<string, unknown>) => void;

const describe = (err: unknown) => (err instanceof Error ? { error: err.message, stack: err.stack } : { error: String(err) });

export function serve(env: NodeJS.ProcessEnv, log: Log, opts: Omit<AppOptions, "log"> = {}): Promise<App | undefined> {
    let app: App | undefined;
    let stopping = false;
    const stop = (code: number) => {
        process.exitCode = Math.max(Number(process.exitCode ?? 0), code);
        if (stopping) return;
        stopping = true;
        if (!app) return process.exit(); // nothing serves yet
        // Past the grace period closeAllConnections ends the drain; this is only a backstop.
        setTimeout(() => process.exit(), app.config.shutdownGraceMs + 5_000).unref();
        app.close().then(
            (drained) => {
                log({ msg: "stopped", drained });
                process.exit();
            },
            (err) => {
                log({ msg: "stopping failed", ...describe(err) });
                process.exit(1);
            },
        );
    };
    process.on("uncaughtException", (err, origin) => {
        log({ msg: "unexpected error; stopping", origin, ...describe(err) });
        stop(1);
    });
    process.on("unhandledRejection", (reason) => {
        log({ msg: "unhandled rejection; stopping", ...describe(reason) });
        stop(1);
    });
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.on(signal, () => {
            log({ msg: "stopping", signal, graceMs: app?.config.shutdownGraceMs });
            stop(0);
        });
    }
    return startApp(env, { ...opts, log }).then(
        (started) => {
            app = started;
            log({ msg: "listening", port: app.port, healthPath: app.config.healthPath });
            return app;
        },
        (err) => {
            log({ msg: "failed to start", ...describe(err), stack: undefined });
            process.exit(1);
            return undefined;
        },
    );
}
