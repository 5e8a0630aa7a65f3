/** Structured logs: one JSON object a line on stdout, which awslogs ships to the service's log group. */
export type Log = (entry: Record<string, unknown>) => void;

export const describeError = (err: unknown) => (err instanceof Error ? { error: err.message, errorName: err.name } : { error: String(err) });

export function jsonLog(service: string): Log {
    return (entry) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), service, ...entry })}\n`);
}
