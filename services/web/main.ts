/** Entry point of the bundle the fleet runs (under systemd, as an unprivileged user). */
import { startApp } from "./app";

const log = (entry: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);

startApp(process.env, { log }).then(
    (app) => {
        log({ msg: "listening", port: app.port, healthPath: app.config.healthPath });
        // Auto Scaling stops an instance only after the load balancer has drained it, so closing is enough.
        for (const signal of ["SIGTERM", "SIGINT"] as const) {
            process.once(signal, () => {
                log({ msg: "stopping", signal });
                app.close().then(
                    () => process.exit(0),
                    () => process.exit(1),
                );
            });
        }
    },
    (err) => {
        log({ msg: "failed to start", error: err instanceof Error ? err.message : String(err) });
        process.exit(1);
    },
);
