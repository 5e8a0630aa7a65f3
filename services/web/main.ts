/** Entry point of the bundle the fleet runs (under systemd, as an unprivileged user). */
import { serve } from "./lifecycle";

const log = (entry: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);

void serve(process.env, log);
